package io.lockwatch.bench.programs;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Contended locking: 4 threads on one lock, a monitor and then a ReentrantLock, each for a fixed time
 * after a warm-up. Reports acquisitions per second for each.
 *
 * <p>Arguments: [measured seconds per lock, default 3] [warm-up seconds, default 1].
 */
public final class ContendedLock {
    private static final int THREADS = 4;
    private static final Object monitor = new Object();
    private static final ReentrantLock lock = new ReentrantLock();
    private static long sharedCounter;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        double warmUp = args.length > 1 ? Double.parseDouble(args[1]) : 1;
        run(true, warmUp);
        Metrics.print("monitor_acquisitions_per_second", run(true, seconds) / seconds, "ops/s", false);
        run(false, warmUp);
        Metrics.print("reentrantlock_acquisitions_per_second", run(false, seconds) / seconds, "ops/s", false);
    }

    /** @return acquisitions by all threads together in the given time */
    private static long run(boolean useMonitor, double seconds) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        long[] counts = new long[THREADS * 16]; // padded: one cache line per thread
        Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            int slot = t * 16;
            threads[t] = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long n = 0;
                while (!stop.get()) {
                    for (int k = 0; k < 64; k++) {
                        if (useMonitor) {
                            synchronized (monitor) {
                                sharedCounter++;
                            }
                        } else {
                            lock.lock();
                            try {
                                sharedCounter++;
                            } finally {
                                lock.unlock();
                            }
                        }
                    }
                    n += 64;
                }
                counts[slot] = n;
            }, "contender-" + t);
            threads[t].start();
        }
        ready.await();
        go.countDown();
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        long total = 0;
        for (int t = 0; t < THREADS; t++) {
            threads[t].join();
            total += counts[t * 16];
        }
        return total;
    }
}
