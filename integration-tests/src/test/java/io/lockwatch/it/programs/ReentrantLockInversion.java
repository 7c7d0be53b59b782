package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantLock;

/** ABBA through two ReentrantLocks. */
public final class ReentrantLockInversion {
    static final ReentrantLock A = new ReentrantLock();
    static final ReentrantLock B = new ReentrantLock();

    static void both(ReentrantLock first, ReentrantLock second) {
        first.lock();
        try {
            second.lock();
            try {
                Thread.onSpinWait();
            } finally {
                second.unlock();
            }
        } finally {
            first.unlock();
        }
    }

    public static void main(String[] args) throws Exception {
        Staggered.steps().then("ab", () -> both(A, B)).then("ba", () -> both(B, A)).run();
        System.out.println("done");
    }
}
