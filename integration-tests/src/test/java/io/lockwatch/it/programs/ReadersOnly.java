package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One thread holds the read lock and takes a monitor; another holds the monitor and takes the read lock.
 * Two read locks never block each other: no deadlock. With argument "write" the second thread takes the
 * write lock instead: real.
 */
public final class ReadersOnly {
    static final ReentrantReadWriteLock RW = new ReentrantReadWriteLock();
    static final Object MONITOR = new Object();

    public static void main(String[] args) throws Exception {
        boolean write = args.length > 0 && args[0].equals("write");
        Staggered.steps()
                .then("reader", () -> {
                    RW.readLock().lock();
                    try {
                        synchronized (MONITOR) {
                            Thread.onSpinWait();
                        }
                    } finally {
                        RW.readLock().unlock();
                    }
                })
                .then(write ? "monitor-then-writer" : "monitor-then-reader", () -> {
                    synchronized (MONITOR) {
                        if (write) {
                            RW.writeLock().lock();
                            RW.writeLock().unlock();
                        } else {
                            RW.readLock().lock();
                            RW.readLock().unlock();
                        }
                    }
                })
                .run();
        System.out.println("done");
    }
}
