package io.lockwatch.bench.programs;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Memory: creates and locks 10 million distinct short-lived lock objects, nested in pairs, then reports
 * the heap still used after a full GC, and again after a pause and a further full GC (it must not grow).
 * The runner subtracts the run without the agent: the difference is what the agent retains. Used heap is
 * read right after {@code System.gc()}, a full, compacting collection with the default G1: only what is
 * reachable counts, including graph nodes of collected locks that the agent has not purged yet.
 *
 * The detector thread purges collected locks in the background, so a third measurement after a longer
 * pause shows where the agent settles.
 *
 * <p>Arguments: [lock objects, default 10,000,000] [pause before the second measurement in ms, default 3000]
 * [further pause before the third, default 10000].
 */
public final class ManyLocks {
    /** A few recent locks are kept reachable, so the JIT cannot prove them thread-local and elide the locking. */
    private static final Object[] recent = new Object[1024];
    private static long counter;

    public static void main(String[] args) throws Exception {
        long locks = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        long pauseMillis = args.length > 1 ? Long.parseLong(args[1]) : 3000;
        long settleMillis = args.length > 2 ? Long.parseLong(args[2]) : 10_000;
        long started = System.nanoTime();
        for (long i = 0; i < locks / 2; i++) {
            Object outer = new Object();
            Object inner = new Object();
            recent[(int) (i & 1023)] = outer;
            synchronized (outer) {
                synchronized (inner) {
                    counter++;
                }
            }
        }
        long elapsed = System.nanoTime() - started;
        java.util.Arrays.fill(recent, null);
        Metrics.print("ns_per_lock_pair", (double) elapsed / (locks / 2), "ns", true);

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        Metrics.print("heap_used_after_full_gc", memory.getHeapMemoryUsage().getUsed() / 1048576.0, "MiB", true);
        // Diagnosis only (it is one more full GC): what the agent retains right after the loop.
        if (Boolean.getBoolean("bench.histogram.first")) lockwatchHistogramBytes();
        Thread.sleep(pauseMillis);
        System.gc();
        System.gc();
        double further = memory.getHeapMemoryUsage().getUsed() / 1048576.0;
        Metrics.print("heap_used_after_further_gc", further, "MiB", true);
        Thread.sleep(settleMillis);
        System.gc();
        System.gc();
        double settled = memory.getHeapMemoryUsage().getUsed() / 1048576.0;
        Metrics.print("heap_used_settled", settled, "MiB", true);
        // "No growth": the heap after the last GC is not larger than after the one 10 s before.
        Metrics.print("heap_growth_when_settled", settled - further, "MiB", true);
        Metrics.print("lockwatch_objects_after_gc", lockwatchHistogramBytes() / 1048576.0, "MiB", true);
    }

    /** Bytes of io.lockwatch.* instances in a class histogram (the histogram itself does a full GC). */
    private static long lockwatchHistogramBytes() {
        return Metrics.histogramBytes(name -> name.startsWith("io.lockwatch."));
    }
}
