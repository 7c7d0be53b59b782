package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * No owner cycle, still a hang: "waiter" holds LOCK and awaits a latch that "signaller" would count down,
 * but "signaller" first needs LOCK. With {@code args[0]} = {@code read-lock}, "waiter" holds a read lock and
 * "signaller" needs the write lock: a lock the JVM names no owner of. With {@code chain}, "signaller" holds SECOND
 * when it blocks on LOCK, and "behind" is blocked on SECOND: behind the stall through another thread.
 */
public final class LatchStall {
    static final Object LOCK = new Object();
    static final Object SECOND = new Object();
    static final ReentrantReadWriteLock READ_WRITE = new ReentrantReadWriteLock();

    public static void main(String[] args) throws Exception {
        boolean readLock = args.length > 0 && args[0].equals("read-lock");
        boolean chain = args.length > 0 && args[0].equals("chain");
        CountDownLatch secondHeld = new CountDownLatch(1);
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
            if (chain) {
                synchronized (SECOND) {
                    secondHeld.countDown();
                    synchronized (LOCK) {
                        done.countDown();
                    }
                }
                return;
            }
            synchronized (LOCK) {
                done.countDown();
            }
        }, "signaller");
        if (chain) {
            new Thread(() -> {
                Hang.await(secondHeld);
                synchronized (SECOND) {
                    System.out.println("behind served");
                }
            }, "behind").start();
        }
        waiter.start();
        signaller.start();
        System.out.println("started");
        waiter.join();
    }
}
