package io.lockwatch.it.programs;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.locks.Condition;

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

    /** {@code Thread.join()}: waits for {@code thread} to end. */
    static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
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

    /** {@code Object.wait} on {@code monitor}, which the caller holds, for ever (nobody notifies it). */
    static void waitForever(Object monitor) {
        try {
            while (true) monitor.wait();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code Condition.await}, holding the condition's lock, for ever (nobody signals it). */
    static void awaitForever(Condition condition) {
        try {
            while (true) condition.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits forever on a latch nobody counts down, holding nothing. */
    static void forever() throws InterruptedException {
        new CountDownLatch(1).await();
    }
}
