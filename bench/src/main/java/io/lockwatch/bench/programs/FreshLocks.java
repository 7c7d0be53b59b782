package io.lockwatch.bench.programs;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * H2's commit, as far as the agent sees it, and nothing else: each thread holds two long-lived locks of
 * its own (H2's connection and session) and, under them, removes an entry from a {@code ConcurrentHashMap}
 * that it put there just before. The remove locks the entry's bin, a fresh object each time, so every
 * iteration is a new lock with two new edges into it, which then die. This is the path that most of H2's
 * overhead once the JIT is done comes from (README, "Ninth round"); here it runs alone, without H2's own
 * work and its much larger warm-up, so a change to it shows in a few runs.
 *
 * <p>Between two commits each thread does some work of its own ({@code work} steps of a xorshift, about a
 * nanosecond each) and allocates {@code garbage} bytes, as a transaction does: at H2's rate of fresh locks,
 * the registry holds the few thousand that the last young collection has not cleared yet, not the hundreds
 * of thousands that a tight loop of commits leaves between two collections.
 *
 * <p>Reports the ns per iteration of the timed pass (all threads together) and the threads' CPU time per
 * iteration, after an untimed warm-up. Arguments: [iterations per thread, default 200,000] [warm-up
 * iterations per thread, default 100,000] [threads, default 4] [work, default 2,000] [garbage, default 4,096].
 */
public final class FreshLocks {
    public static void main(String[] args) throws InterruptedException {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int work = args.length > 3 ? Integer.parseInt(args[3]) : 2_000;
        int garbage = args.length > 4 ? Integer.parseInt(args[4]) : 4_096;
        run(threads, warmUp, work, garbage, new AtomicLong());
        AtomicLong cpu = new AtomicLong();
        long started = System.nanoTime();
        run(threads, iterations, work, garbage, cpu);
        long elapsed = System.nanoTime() - started;
        long total = (long) iterations * threads;
        Metrics.print("ns_per_iteration", (double) elapsed / total, "ns", true);
        Metrics.print("cpu_ns_per_iteration", (double) cpu.get() / total, "ns", true);
    }

    private static void run(int threads, int iterations, int work, int garbage, AtomicLong cpu) throws InterruptedException {
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                long cpuStarted = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                commits(iterations, work, garbage);
                cpu.addAndGet(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStarted);
            }, "committer-" + t);
            thread.start();
            running.add(thread);
        }
        for (Thread thread : running) thread.join();
    }

    /** One thread's commits: its own connection, session and map, as in H2 each session has its own. */
    private static void commits(int iterations, int work, int garbage) {
        Object connection = new Object();
        Object session = new Object();
        ConcurrentHashMap<Integer, Integer> pending = new ConcurrentHashMap<>();
        long x = Thread.currentThread().getId() | 1;
        for (int i = 0; i < iterations; i++) {
            for (int w = 0; w < work; w++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
            sink = new byte[garbage];
            Integer key = i & 1023;
            pending.put(key, i); // an empty bin: a compare-and-set, no lock
            synchronized (connection) {
                synchronized (session) {
                    if (pending.remove(key) == null) throw new AssertionError("lost " + key); // locks the bin
                }
            }
        }
        if (x == 0) throw new AssertionError(); // keeps the work
    }

    /** Where the garbage goes, so that the JIT cannot leave it out. */
    static volatile byte[] sink;
}
