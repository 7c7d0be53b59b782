package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;

/**
 * Starts {@code count} virtual threads (JDK 21 and later) that each take a lock of their own and then a shared
 * one, nested, and then all wait, alive, as a server's requests wait on their clients. Prints the heap in use
 * after full collections, in MiB, while they wait, then lets them end. Argument: count.
 */
public final class LiveVirtualThreads {
    private static final Object SHARED = new Object();

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        CountDownLatch waiting = new CountDownLatch(count);
        CountDownLatch end = new CountDownLatch(1);
        Thread[] threads = new Thread[count];
        for (int i = 0; i < count; i++) {
            Object own = new Object();
            threads[i] = VirtualThreads.unstarted(() -> {
                synchronized (own) {
                    synchronized (SHARED) {
                        waiting.countDown();
                    }
                }
                try {
                    end.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            threads[i].start();
        }
        waiting.await();
        HeapInUse.printAfterFullCollections();
        end.countDown();
        for (Thread t : threads) t.join();
    }
}
