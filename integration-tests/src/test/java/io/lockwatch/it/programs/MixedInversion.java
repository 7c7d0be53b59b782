package io.lockwatch.it.programs;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/** A monitor then a ReentrantLock in one thread; the lock (through the Lock interface) then the monitor in another. */
public final class MixedInversion {
    static final Object MONITOR = new Object();
    static final Lock LOCK = new ReentrantLock();

    public static void main(String[] args) throws Exception {
        Staggered.steps()
                .then("monitor-then-lock", () -> {
                    synchronized (MONITOR) {
                        LOCK.lock();
                        LOCK.unlock();
                    }
                })
                .then("lock-then-monitor", () -> {
                    LOCK.lock();
                    try {
                        synchronized (MONITOR) {
                            Thread.onSpinWait();
                        }
                    } finally {
                        LOCK.unlock();
                    }
                })
                .run();
        System.out.println("done");
    }
}
