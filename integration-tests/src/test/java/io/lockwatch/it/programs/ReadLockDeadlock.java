package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A deadlock through a read lock, between platform threads: "reader" holds the read lock and waits for LOCK;
 * "writer" holds LOCK and wants the write lock, which waits for the reader. The JVM names no owner of a read lock,
 * so its own deadlock search sees nothing. Prints "waiting" once both hold theirs; never ends.
 */
public final class ReadLockDeadlock {
    static final ReentrantReadWriteLock READ_WRITE = new ReentrantReadWriteLock();
    static final ReentrantLock LOCK = new ReentrantLock();

    public static void main(String[] args) throws Exception {
        CountDownLatch bothHold = new CountDownLatch(2);
        Thread reader = new Thread(() -> {
            READ_WRITE.readLock().lock();
            bothHold.countDown();
            Hang.await(bothHold);
            LOCK.lock(); // never returns
        }, "reader");
        Thread writer = new Thread(() -> {
            LOCK.lock();
            bothHold.countDown();
            Hang.await(bothHold);
            READ_WRITE.writeLock().lock(); // never returns
        }, "writer");
        reader.start();
        writer.start();
        bothHold.await();
        System.out.println("waiting");
        reader.join();
    }
}
