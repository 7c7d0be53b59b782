package io.lockwatch.bench.programs;

/**
 * Locks that never leave their thread, which C2 removes (twenty-fourth round): an object made and locked inside
 * one method around a counter, and a {@code StringBuffer} that one method appends to. The JIT's escape analysis
 * proves that no other thread can see either object and drops their locking; lockwatch's calls at the lock
 * sites keep it from proving that, so each acquisition is made and tracked. No inversion can involve such a
 * lock (an inversion is two threads taking the same locks in opposite orders): this is a cost without a
 * finding to show for it, which no target of issue 9 measures.
 *
 * <p>Reports ns per call (the local lock) and per iteration (the buffer: cleared, four characters appended,
 * its length read) of the timed pass, after an untimed warm-up of each. Arguments: [calls and iterations,
 * default 20,000,000] [warm-up, default 20,000,000].
 */
public final class LocalLocks {
    private static long counter;
    private static volatile long sink;

    public static void main(String[] args) {
        long calls = args.length > 0 ? Long.parseLong(args[0]) : 20_000_000L;
        long warmUp = args.length > 1 ? Long.parseLong(args[1]) : 20_000_000L;
        localLocks(warmUp);
        long started = System.nanoTime();
        localLocks(calls);
        Metrics.print("local_lock_ns_per_call", (double) (System.nanoTime() - started) / calls, "ns", true);
        if (counter != calls + warmUp) throw new AssertionError("counter " + counter);

        sink = bufferAppends(warmUp);
        started = System.nanoTime();
        long length = bufferAppends(calls);
        Metrics.print("stringbuffer_ns_per_iteration", (double) (System.nanoTime() - started) / calls, "ns", true);
        if (length != 4 * calls) throw new AssertionError("length " + length);
    }

    private static void localLocks(long calls) {
        for (long i = 0; i < calls; i++) lockLocally();
    }

    /** A leaf block (nothing called inside it) on an object no other method sees. */
    private static void lockLocally() {
        Object local = new Object();
        synchronized (local) {
            counter++;
        }
    }

    /** Consecutive synchronized calls on a buffer of this method's own. @return the lengths, summed */
    private static long bufferAppends(long iterations) {
        StringBuffer buffer = new StringBuffer(16);
        long total = 0;
        for (long i = 0; i < iterations; i++) {
            buffer.setLength(0);
            buffer.append('a');
            buffer.append('b');
            buffer.append('c');
            buffer.append('d');
            total += buffer.length();
        }
        return total;
    }
}
