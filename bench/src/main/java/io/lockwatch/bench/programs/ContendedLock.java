package io.lockwatch.bench.programs;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Contended locking: 4 threads on one lock, a monitor and then a ReentrantLock, each for a fixed time
 * after a warm-up. Reports acquisitions per second for each.
 *
 * <p>Twice: first with nothing but a counter increment between acquisitions (the lock's own cost; on 2
 * cores mostly one thread re-acquiring while the others are parked), then as locks are used for work
 * ({@code with_work}): each thread computes about {@link #WORK_STEPS} steps of its own between
 * acquisitions and updates a small shared table under the lock, so the lock changes hands.
 *
 * <p>The locks are old before the first thread takes them, as a service's shared locks are ({@link LongLived}).
 *
 * <p>Each lock and the data written under it have cache lines of their own: spacer arrays are allocated
 * between them, and a full collection keeps their order. Without them, where the heap happened to put the
 * monitor next to the data its holder writes decided the rate: waiting threads read the monitor's header
 * while the holder's writes took the line away. An agent's start-up allocations move that placement, so a
 * do-nothing agent "lost" 1.42x (paired, 6 rounds) on a copy of the monitor phase without spacers, and
 * the same agent nothing with them (twenty-second round). A service's layout is as much a matter of
 * chance; the spacers make it the same on both sides, so that the ratio measures the agent.
 *
 * <p>The four variants are four loop methods, copies of each other on purpose: each loop is compiled for
 * itself. Through one shared method, a later phase ran code compiled first for an earlier one, and on this VM
 * a no-work loop's rate moves by a quarter with its compiled shape (twenty-second round).
 *
 * <p>The no-work monitor loop reads the stop flag at every acquisition, unlike the others, which read it every 64.
 * With nothing between two {@code synchronized} blocks on one monitor, C2 may merge them (lock coarsening):
 * it unrolled the inner loop of 64 by four and took the monitor once per four increments, so the program
 * counted four acquisitions for each one it made. It did so only in the method's normal compilation, not in
 * the on-stack-replacement one that threads already in the loop run, so a run without an agent measured 2
 * or 7 × 10^7 "acquisitions" per second (JDK 25 or 17) depending on which one the measured threads entered,
 * while lockwatch's calls between the blocks keep them apart in both (twenty-fourth round). The volatile read
 * keeps them apart on both sides, so the ratio compares acquisitions. A {@code ReentrantLock}'s sections
 * are never merged; {@code with_work}'s are kept apart by the work.
 *
 * <p>The {@code with_work} variants take locks of their own, which no earlier phase has used. On one shared
 * monitor, that variant's rate followed what the no-work phase before it had done to the monitor (bimodal,
 * 4-6 or 16-18 × 10^6, once the no-work loop changed; presumably the JVM's per-monitor adaptive spinning,
 * which an inflated monitor keeps until it is deflated; not traced). A service's locks do not share a history
 * with a benchmark's earlier phase (twenty-fourth round).
 *
 * <p>Arguments: [measured seconds per lock, default 3] [warm-up seconds, default 1].
 */
public final class ContendedLock {
    private static final int THREADS = 4;
    /** Steps of private work between two acquisitions in the {@code with_work} variant (roughly 100-200 ns). */
    static final int WORK_STEPS = 64;

    // In allocation order, which the heap keeps: each shared object between spacers (see the class comment).
    private static final long[] spacerBeforeMonitor = spacer();
    private static final Object monitor = new Object();
    private static final long[] spacerBeforeLock = spacer();
    private static final ReentrantLock lock = new ReentrantLock(); // and its synchronizer, allocated with it
    private static final long[] spacerBeforeCounter = spacer();
    /** The counter written under the lock, in an array of its own rather than a static field of this class. */
    private static final long[] sharedCounter = new long[1];
    // The with_work variants' own locks: a lock no earlier phase has used (see the class comment).
    private static final long[] spacerBeforeWorkMonitor = spacer();
    private static final Object workMonitor = new Object();
    private static final long[] spacerBeforeWorkLock = spacer();
    private static final ReentrantLock workLock = new ReentrantLock();
    private static final long[] spacerBeforeTable = spacer();
    private static final long[] sharedTable = new long[16];
    private static final long[] spacerAfterTable = spacer();
    private static volatile long sink;

    /** 144 bytes: more than the 128 that an adjacent-line prefetcher fetches together. */
    private static long[] spacer() {
        return new long[16];
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        double warmUp = args.length > 1 ? Double.parseDouble(args[1]) : 1;
        LongLived.promoteToOldGeneration();
        run(true, 0, warmUp);
        Metrics.print("monitor_acquisitions_per_second", run(true, 0, seconds) / seconds, "ops/s", false);
        run(false, 0, warmUp);
        Metrics.print("reentrantlock_acquisitions_per_second", run(false, 0, seconds) / seconds, "ops/s", false);
        run(true, WORK_STEPS, warmUp);
        Metrics.print("monitor_with_work_acquisitions_per_second", run(true, WORK_STEPS, seconds) / seconds, "ops/s", false);
        run(false, WORK_STEPS, warmUp);
        Metrics.print("reentrantlock_with_work_acquisitions_per_second", run(false, WORK_STEPS, seconds) / seconds,
                "ops/s", false);
    }

    /** Private work between acquisitions: a xorshift walk the JIT cannot fold away. */
    private static long work(long x, int steps) {
        for (int i = 0; i < steps; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    /** @return acquisitions by all threads together in the given time */
    private static long run(boolean useMonitor, int workSteps, double seconds) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        long[] counts = new long[THREADS * 16]; // padded: one cache line per thread
        Workers contenders = new Workers();
        for (int t = 0; t < THREADS; t++) {
            int slot = t * 16;
            contenders.start("contender-" + t, () -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                // one loop method per variant (see the class comment)
                if (workSteps == 0) {
                    counts[slot] = useMonitor ? monitorOnly(stop) : lockOnly(stop);
                } else {
                    counts[slot] = useMonitor ? monitorWithWork(workSteps, stop, slot + 1) : lockWithWork(workSteps, stop, slot + 1);
                }
            });
        }
        ready.await();
        go.countDown();
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        contenders.joinAll();
        long total = 0;
        for (int t = 0; t < THREADS; t++) total += counts[t * 16];
        return total;
    }

    /**
     * Nothing but the monitor between acquisitions, and the stop flag read before each of them: that volatile
     * read is what keeps C2 from merging consecutive iterations' critical sections into one (see the class
     * comment). @return acquisitions until {@code stop}
     */
    private static long monitorOnly(AtomicBoolean stop) {
        long n = 0;
        while (!stop.get()) {
            synchronized (monitor) {
                sharedCounter[0]++;
            }
            n++;
        }
        return n;
    }

    /** Nothing but the ReentrantLock between acquisitions. @return acquisitions until {@code stop} */
    private static long lockOnly(AtomicBoolean stop) {
        long n = 0;
        while (!stop.get()) {
            for (int k = 0; k < 64; k++) {
                lock.lock();
                try {
                    sharedCounter[0]++;
                } finally {
                    lock.unlock();
                }
            }
            n += 64;
        }
        return n;
    }

    /** Private work between acquisitions, a table update under the monitor. @return acquisitions until {@code stop} */
    private static long monitorWithWork(int workSteps, AtomicBoolean stop, long seed) {
        long n = 0;
        long x = seed;
        while (!stop.get()) {
            for (int k = 0; k < 64; k++) {
                x = work(x, workSteps);
                synchronized (workMonitor) {
                    sharedTable[(int) (x & 15)] += x;
                }
            }
            n += 64;
        }
        sink = x;
        return n;
    }

    /** Private work between acquisitions, a table update under the ReentrantLock. @return acquisitions until {@code stop} */
    private static long lockWithWork(int workSteps, AtomicBoolean stop, long seed) {
        long n = 0;
        long x = seed;
        while (!stop.get()) {
            for (int k = 0; k < 64; k++) {
                x = work(x, workSteps);
                workLock.lock();
                try {
                    sharedTable[(int) (x & 15)] += x;
                } finally {
                    workLock.unlock();
                }
            }
            n += 64;
        }
        sink = x;
        return n;
    }
}
