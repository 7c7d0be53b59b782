package io.lockwatch.it.programs;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A program that prints to a stderr of its own (a {@code PrintStream} subclass, which locks itself, as a logging
 * bridge's stream does), with two threads: "locker" takes a lock and lets it go; "printer", once that is done,
 * takes the lock while it holds the stream. The program never takes the stream under the lock, so there is no
 * inversion here. Run with an agent jar that fails inside the lock site of "locker": where lockwatch printed its
 * failure line on that thread, it took the stream under the lock itself.
 */
public final class FailureUnderALock {
    public static void main(String[] args) throws InterruptedException {
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true) {};
        System.setErr(err);
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch released = new CountDownLatch(1);
        Thread locker = new Thread(() -> {
            lock.lock();
            try {
                released.countDown();
            } finally {
                lock.unlock();
            }
        }, "locker");
        Thread printer = new Thread(() -> {
            try {
                released.await();
            } catch (InterruptedException e) {
                return;
            }
            synchronized (err) {
                lock.lock();
                lock.unlock();
            }
        }, "printer");
        locker.start();
        printer.start();
        locker.join();
        printer.join();
        System.out.println("done");
    }
}
