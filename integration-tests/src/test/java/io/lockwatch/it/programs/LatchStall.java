package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * No owner cycle, still a hang: "waiter" holds LOCK and awaits a latch that "signaller" would count down,
 * but "signaller" first needs LOCK. With {@code args[0]} = {@code read-lock}, "waiter" holds a read lock and
 * "signaller" needs the write lock: a lock the JVM names no owner of.
 */
public final class LatchStall {
    static final Object LOCK = new Object();
    static final ReentrantReadWriteLock READ_WRITE = new ReentrantReadWriteLock();

    public static void main(String[] args) throws Exception {
        boolean readLock = args.length > 0 && args[0].equals("read-lock");
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch waiterHoldsLock = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            if (readLock) {
                READ_WRITE.readLock().lock();
                waiterHoldsLock.countDown();
                Hang.await(done);
                READ_WRITE.readLock().unlock();
                return;
            }
            synchronized (LOCK) {
                waiterHoldsLock.countDown();
                Hang.await(done);
            }
        }, "waiter");
        Thread signaller = new Thread(() -> {
            Hang.await(waiterHoldsLock);
            if (readLock) {
                READ_WRITE.writeLock().lock();
                done.countDown();
                READ_WRITE.writeLock().unlock();
                return;
            }
            synchronized (LOCK) {
                done.countDown();
            }
        }, "signaller");
        waiter.start();
        signaller.start();
        System.out.println("started");
        waiter.join();
    }
}
