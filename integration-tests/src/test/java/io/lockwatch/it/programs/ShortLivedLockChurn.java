package io.lockwatch.it.programs;

/**
 * Locks many distinct short-lived objects, nested in pairs (more than the graph's cap of live locks), then
 * two threads take two fresh short-lived locks in opposite orders while both locks are alive. The graph
 * is then full of locks the GC has not cleared yet; the inversion must still be found.
 *
 * <p>Argument: the number of pairs.
 */
public final class ShortLivedLockChurn {
    /** A few recent locks stay reachable, so the JIT cannot prove them thread-local and elide the locking. */
    private static final Object[] recent = new Object[1024];
    private static long counter;

    public static void main(String[] args) throws Exception {
        int pairs = Integer.parseInt(args[0]);
        for (int i = 0; i < pairs; i++) {
            Object outer = new Object();
            Object inner = new Object();
            recent[i & 1023] = outer;
            synchronized (outer) {
                synchronized (inner) {
                    counter++;
                }
            }
        }
        Object a = new Object();
        Object b = new Object();
        Staggered.steps()
                .then("first", () -> { synchronized (a) { synchronized (b) { counter++; } } })
                .then("second", () -> { synchronized (b) { synchronized (a) { counter++; } } })
                .run();
        System.out.println("done " + counter);
    }
}
