package io.lockwatch.it.programs;

/**
 * Keeps {@code count} distinct objects alive and locks them nested in pairs, twice over, then two threads take
 * two more in opposite orders. Its own data is a few MiB, so it runs in a small heap ({@code -Xmx64m}); the
 * agent's share of that heap must leave it room. Argument: count.
 */
public final class LiveLocksInASmallHeap {
    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        Object[] locks = new Object[count];
        for (int i = 0; i < count; i++) locks[i] = new Object();
        long[] counter = new long[1];
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i + 1 < count; i += 2) {
                synchronized (locks[i]) {
                    synchronized (locks[i + 1]) {
                        counter[0]++;
                    }
                }
            }
        }
        Object a = new Object();
        Object b = new Object();
        Staggered.steps()
                .then("first", () -> { synchronized (a) { synchronized (b) { counter[0]++; } } })
                .then("second", () -> { synchronized (b) { synchronized (a) { counter[0]++; } } })
                .run();
        System.out.println("done " + counter[0] + " with " + locks.length + " locks alive");
    }
}
