package io.lockwatch.bench.programs;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The path of a fresh lock, and nothing else: each thread holds two long-lived locks of its own (as H2
 * holds its connection's and its session's) and, under them, locks an object it has just made, around a
 * call. So every iteration is a new lock with two new edges into it, which then die. Until the twelfth
 * round this was H2's commit itself (a remove from a {@code ConcurrentHashMap}, which locks the entry's
 * bin, a fresh object each time), the path that most of H2's overhead once the JIT is done came from
 * (PERFORMANCE-ROUNDS.md, "Ninth round"); since a map's bins are one lock in the graph, a fresh object of the program's
 * own stands in for the bin. It runs alone, without H2's own work and its much larger warm-up, so a change
 * to it shows in a few runs.
 *
 * <p>Between two commits each thread does some work of its own ({@code work} steps of a xorshift, about a
 * nanosecond each) and allocates {@code garbage} bytes, as a transaction does: at H2's rate of fresh locks,
 * the registry holds the few thousand that the last young collection has not cleared yet, not the hundreds
 * of thousands that a tight loop of commits leaves between two collections.
 *
 * <p>With {@code journal}, the fresh lock also takes a lock under it: each commit writes to its thread's
 * journal, a long-lived lock that leads on to the journal's file and its disk (all three taken once by the
 * main thread too, so two threads have used them). A fresh object that takes another lock while it is held,
 * as a stream or a file channel does, is a fresh lock with an edge out (twenty-eighth round).
 *
 * <p>Reports the ns per iteration of the timed pass (all threads together) and the threads' CPU time per
 * iteration, after an untimed warm-up. Arguments: [iterations per thread, default 200,000] [warm-up
 * iterations per thread, default 100,000] [threads, default 4] [work, default 2,000] [garbage, default 4,096]
 * [{@code journal}, or nothing].
 */
public final class FreshLocks {
    public static void main(String[] args) throws InterruptedException {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int work = args.length > 3 ? Integer.parseInt(args[3]) : 2_000;
        int garbage = args.length > 4 ? Integer.parseInt(args[4]) : 4_096;
        Object[] journals = args.length > 5 && args[5].equals("journal") ? journals(threads) : null;
        run(threads, warmUp, work, garbage, journals, new AtomicLong());
        AtomicLong cpu = new AtomicLong();
        long started = System.nanoTime();
        run(threads, iterations, work, garbage, journals, cpu);
        long elapsed = System.nanoTime() - started;
        long total = (long) iterations * threads;
        Metrics.print("ns_per_iteration", (double) elapsed / total, "ns", true);
        Metrics.print("cpu_ns_per_iteration", (double) cpu.get() / total, "ns", true);
    }

    /** Per thread, a journal, its file and the file's disk, three places each; each taken once here, one under the other. */
    private static Object[] journals(int threads) {
        Object[] journals = new Object[3 * threads];
        for (int i = 0; i < journals.length; i++) journals[i] = new Object();
        for (int t = 0; t < threads; t++) write(journals, t);
        return journals;
    }

    private static void write(Object[] journals, int thread) {
        synchronized (journals[3 * thread]) {
            synchronized (journals[3 * thread + 1]) {
                synchronized (journals[3 * thread + 2]) {
                    writes++;
                }
            }
        }
    }

    private static void run(int threads, int iterations, int work, int garbage, Object[] journals, AtomicLong cpu)
            throws InterruptedException {
        Workers committers = new Workers();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Object journal = journals == null ? null : journals[3 * t];
            committers.start("committer-" + t, () -> {
                long cpuStarted = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                if (journal != null) write(journals, thread); // this thread too: each lock has been used by two
                commits(iterations, work, garbage, journal);
                cpu.addAndGet(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStarted);
            });
        }
        committers.joinAll();
    }

    /** One thread's commits: its own connection and session, as in H2 each session has its own. */
    private static void commits(int iterations, int work, int garbage, Object journal) {
        Object connection = new Object();
        Object session = new Object();
        long x = Thread.currentThread().getId() | 1;
        for (int i = 0; i < iterations; i++) {
            for (int w = 0; w < work; w++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
            sink = new byte[garbage];
            Row row = new Row(i);
            lastRow = row; // escapes: the JIT may not drop its lock, with or without the agent
            synchronized (connection) {
                synchronized (session) {
                    synchronized (row) {
                        row.commit(); // a call: not a leaf section, the row goes on the held stack as a bin did
                        if (journal != null) {
                            synchronized (journal) { // row -> journal, and the journal leads on to its file and disk
                                writes++;
                            }
                        }
                    }
                }
            }
        }
        if (x == 0) throw new AssertionError(); // keeps the work
    }

    /** What the journal writes count; racy on purpose (each thread's own journal lock guards nothing shared). */
    static long writes;

    /** Where the garbage goes, so that the JIT cannot leave it out. */
    static volatile byte[] sink;
    static Row lastRow;

    /** A fresh object to lock, as a bin or a row of a database is. */
    static final class Row {
        int version;

        Row(int version) {
            this.version = version;
        }

        void commit() {
            version++;
        }
    }
}
