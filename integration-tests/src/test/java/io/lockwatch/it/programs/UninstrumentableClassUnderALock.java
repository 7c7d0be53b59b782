package io.lockwatch.it.programs;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A program with a stderr of its own (a {@code PrintStream} subclass, which locks itself, as a logging bridge's
 * stream does) and two threads. "loader" takes a lock and, while it holds it, loads a class that lockwatch cannot
 * instrument ({@link TooLargeToInstrument}); "printer" holds the stream, then waits for the lock. The program
 * never needs the stream under the lock, so it cannot deadlock; an agent that printed its warning about the
 * class on the loading thread would need the stream there, and it would.
 */
public final class UninstrumentableClassUnderALock {
    public static void main(String[] args) throws Exception {
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true) {};
        System.setErr(err);
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch lockHeld = new CountDownLatch(1);
        CountDownLatch streamHeld = new CountDownLatch(1);
        int[] ran = new int[1];
        Thread loader = new Thread(() -> {
            lock.lock();
            try {
                lockHeld.countDown();
                streamHeld.await();
                ran[0] = TooLargeToInstrument.run("TooLargeUnderALock");
            } catch (InterruptedException | ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            } finally {
                lock.unlock();
            }
        }, "loader");
        Thread printer = new Thread(() -> {
            try {
                lockHeld.await();
            } catch (InterruptedException e) {
                return;
            }
            synchronized (err) {
                streamHeld.countDown();
                lock.lock();
                lock.unlock();
            }
        }, "printer");
        loader.start();
        printer.start();
        loader.join();
        printer.join();
        System.out.println("ran " + ran[0]);
    }
}
