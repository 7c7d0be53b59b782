package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * "waiter" holds the ReentrantLock OUTER and waits on a condition of INNER; "signaller" would signal it,
 * but takes OUTER first. Condition.await releases INNER, not OUTER.
 */
public final class ConditionStall {
    static final ReentrantLock OUTER = new ReentrantLock();
    static final ReentrantLock INNER = new ReentrantLock();
    static final Condition READY = INNER.newCondition();
    static boolean ready;

    public static void main(String[] args) throws Exception {
        CountDownLatch waiterHoldsOuter = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            OUTER.lock();
            try {
                INNER.lock();
                try {
                    waiterHoldsOuter.countDown();
                    while (!ready) READY.awaitUninterruptibly();
                } finally {
                    INNER.unlock();
                }
            } finally {
                OUTER.unlock();
            }
        }, "waiter");
        Thread signaller = new Thread(() -> {
            Hang.await(waiterHoldsOuter);
            OUTER.lock();
            try {
                INNER.lock();
                try {
                    ready = true;
                    READY.signalAll();
                } finally {
                    INNER.unlock();
                }
            } finally {
                OUTER.unlock();
            }
        }, "signaller");
        waiter.start();
        signaller.start();
        System.out.println("started");
        waiter.join();
    }
}
