package io.lockwatch.bench.programs;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Uncontended nested locking: per iteration, two monitors nested, then two ReentrantLocks nested.
 * Reports ns per iteration of the timed pass, after an untimed warm-up pass.
 *
 * <p>The locks are old when the loop starts, as a service's long-lived locks are ({@link LongLived}).
 *
 * <p>Arguments: [iterations, default 20,000,000] [warm-up iterations, default 5,000,000].
 */
public final class NestedLocking {
    private static final Object outerMonitor = new Object();
    private static final Object innerMonitor = new Object();
    private static final ReentrantLock outerLock = new ReentrantLock();
    private static final ReentrantLock innerLock = new ReentrantLock();
    private static long counter;

    public static void main(String[] args) throws Exception {
        long iterations = args.length > 0 ? Long.parseLong(args[0]) : 20_000_000L;
        long warmUp = args.length > 1 ? Long.parseLong(args[1]) : 5_000_000L;
        LongLived.promoteToOldGeneration();
        // A thread made after the collection takes the locks, so it lives in another region than they do,
        // as a service's threads and its long-lived locks do (the main thread might share their region).
        Workers worker = new Workers();
        worker.start("nested-locking", () -> measure(iterations, warmUp));
        worker.joinAll();
    }

    private static void measure(long iterations, long warmUp) {
        loop(warmUp);
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStarted = cpu.getCurrentThreadCpuTime();
        long started = System.nanoTime();
        loop(iterations);
        long elapsed = System.nanoTime() - started;
        long cpuElapsed = cpu.getCurrentThreadCpuTime() - cpuStarted;
        Metrics.print("ns_per_iteration", (double) elapsed / iterations, "ns", true);
        // The loop's own CPU time: unlike the elapsed time, it does not grow while other processes have the CPU.
        Metrics.print("cpu_ns_per_iteration", (double) cpuElapsed / iterations, "ns", true);
        if (counter != 2 * (iterations + warmUp)) throw new AssertionError("counter " + counter);
    }

    private static void loop(long iterations) {
        for (long i = 0; i < iterations; i++) {
            synchronized (outerMonitor) {
                synchronized (innerMonitor) {
                    counter++;
                }
            }
            outerLock.lock();
            try {
                innerLock.lock();
                try {
                    counter++;
                } finally {
                    innerLock.unlock();
                }
            } finally {
                outerLock.unlock();
            }
        }
    }
}
