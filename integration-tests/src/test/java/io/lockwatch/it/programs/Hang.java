package io.lockwatch.it.programs;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;

/** Small helpers for the programs that hang. */
final class Hang {
    private Hang() {}

    static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (InterruptedException | BrokenBarrierException e) {
            throw new IllegalStateException(e);
        }
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits forever on a latch nobody counts down, holding nothing. */
    static void forever() throws InterruptedException {
        new CountDownLatch(1).await();
    }
}
