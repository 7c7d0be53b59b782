package io.lockwatch.bench.programs;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Memory per live thread: {@code threads} virtual threads each take a monitor and a {@code ReentrantLock} of their
 * own once (not nested) and then wait, all alive at once, as a service's requests parked on I/O; reports the heap
 * live while they wait, from a class histogram (after a full GC). The difference between the runner's sides is what
 * lockwatch keeps per thread it tracks (its state, thread-local and registry entry): 1.0 KB a thread before the
 * forty-seventh round. Before JDK 21 (no virtual threads), platform threads, a hundredth as many, and says so.
 *
 * <p>Arguments: [threads, default 100,000].
 */
public final class ParkedThreads {
    private static int sink;

    public static void main(String[] args) throws Exception {
        int count = VirtualThreads.scaled(args.length > 0 ? Integer.parseInt(args[0]) : 100_000);
        ThreadFactory factory = VirtualThreads.factoryOrPlatform();
        CountDownLatch release = new CountDownLatch(1);
        Thread[] threads = parked(factory, count, release);
        // The stacks' copies (StackChunk) are left out: their sizes vary from run to run by tens of MiB in all, with
        // how many of the parked frames were compiled yet, on both sides alike.
        long bytes = Metrics.histogramBytes(name -> !name.equals("jdk.internal.vm.StackChunk"));
        Metrics.print("heap_live_besides_stacks", bytes / 1048576.0, "MiB", true);
        endAll(threads, release);
    }

    /** Starts the threads, each of which takes its locks and waits on {@code release}; returns once all wait. */
    private static Thread[] parked(ThreadFactory factory, int count, CountDownLatch release) throws InterruptedException {
        CountDownLatch locked = new CountDownLatch(count);
        Thread[] threads = new Thread[count];
        for (int i = 0; i < count; i++) {
            // Locks of its own: on shared ones, threads that met parked there first, a varying number of them.
            Object monitor = new Object();
            ReentrantLock lock = new ReentrantLock();
            threads[i] = factory.newThread(() -> {
                synchronized (monitor) {
                    sink++;
                }
                lock.lock();
                try {
                    sink++;
                } finally {
                    lock.unlock();
                }
                locked.countDown();
                awaitQuietly(release);
            });
            threads[i].start();
        }
        locked.await();
        for (Thread thread : threads) { // every stack parked (its size settled), not just past the count-down
            while (thread.getState() != Thread.State.WAITING) Thread.sleep(1);
        }
        return threads;
    }

    private static void endAll(Thread[] threads, CountDownLatch release) throws InterruptedException {
        release.countDown();
        for (Thread thread : threads) thread.join();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
