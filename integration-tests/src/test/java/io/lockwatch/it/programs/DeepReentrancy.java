package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One thread re-enters a monitor, a synchronized method's monitor and a ReentrantLock 300 deep, and both
 * monitors once more in leaf critical sections (which lockwatch does not push), then takes C. Another takes C then each of them. Re-entry is no edge, and after the last exit nothing is held: if
 * lockwatch miscounted, the first thread would seem to still hold them when it takes C, and C's inversion
 * with the second thread would be reported. Correct tracking finds nothing.
 */
public final class DeepReentrancy {
    static final Object MONITOR = new Object();
    static final ReentrantLock LOCK = new ReentrantLock();
    static final Object C = new Object();

    static void recurseMonitor(int depth) {
        synchronized (MONITOR) {
            if (depth > 0) recurseMonitor(depth - 1);
        }
    }

    static void recurseLock(int depth) {
        LOCK.lock();
        try {
            if (depth > 0) recurseLock(depth - 1);
        } finally {
            LOCK.unlock();
        }
    }

    static synchronized void recurseMethod(int depth) {
        if (depth > 0) recurseMethod(depth - 1);
    }

    static long leafCount;

    /** Re-entry into leaf critical sections (nothing called inside them): a block, then a synchronized method. */
    static void reenterLeaves() {
        synchronized (MONITOR) {
            synchronized (MONITOR) {
                leafCount++;
            }
        }
        synchronized (DeepReentrancy.class) {
            leafMethod();
        }
    }

    static synchronized void leafMethod() {
        leafCount++;
    }

    public static void main(String[] args) throws Exception {
        Staggered.steps()
                .then("reenterer", () -> {
                    recurseMonitor(300);
                    recurseLock(300);
                    recurseMethod(300);
                    reenterLeaves();
                    synchronized (C) {
                        Thread.onSpinWait();
                    }
                })
                .then("other", () -> {
                    synchronized (C) {
                        synchronized (MONITOR) {
                            LOCK.lock();
                            LOCK.unlock();
                            recurseMethod(1);
                            leafMethod();
                        }
                    }
                })
                .run();
        System.out.println("done");
    }
}
