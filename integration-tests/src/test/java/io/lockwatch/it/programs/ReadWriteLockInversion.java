package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/** The write lock then a monitor, against the monitor then the read lock of the same ReentrantReadWriteLock. */
public final class ReadWriteLockInversion {
    static final ReentrantReadWriteLock RW = new ReentrantReadWriteLock();
    static final Object MONITOR = new Object();

    public static void main(String[] args) throws Exception {
        Staggered.steps()
                .then("writer", () -> {
                    RW.writeLock().lock();
                    try {
                        synchronized (MONITOR) {
                            Thread.onSpinWait();
                        }
                    } finally {
                        RW.writeLock().unlock();
                    }
                })
                .then("reader", () -> {
                    synchronized (MONITOR) {
                        RW.readLock().lock();
                        RW.readLock().unlock();
                    }
                })
                .run();
        System.out.println("done");
    }
}
