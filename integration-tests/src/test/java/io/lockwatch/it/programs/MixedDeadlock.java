package io.lockwatch.it.programs;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.locks.ReentrantLock;

/** "monitor-first" holds a monitor and wants a ReentrantLock that "lock-first" holds while it wants the monitor. */
public final class MixedDeadlock {
    static final Object MONITOR = new Object();
    static final ReentrantLock LOCK = new ReentrantLock();

    public static void main(String[] args) throws Exception {
        CyclicBarrier bothHoldOne = new CyclicBarrier(2);
        Thread monitorFirst = new Thread(() -> monitorThenLock(bothHoldOne), "monitor-first");
        Thread lockFirst = new Thread(() -> lockThenMonitor(bothHoldOne), "lock-first");
        monitorFirst.start();
        lockFirst.start();
        System.out.println("started");
        monitorFirst.join();
    }

    static void monitorThenLock(CyclicBarrier bothHoldOne) {
        synchronized (MONITOR) {
            Hang.await(bothHoldOne);
            LOCK.lock();
            LOCK.unlock();
        }
    }

    static void lockThenMonitor(CyclicBarrier bothHoldOne) {
        LOCK.lock();
        try {
            Hang.await(bothHoldOne);
            synchronized (MONITOR) {
                System.out.println("unreachable");
            }
        } finally {
            LOCK.unlock();
        }
    }
}
