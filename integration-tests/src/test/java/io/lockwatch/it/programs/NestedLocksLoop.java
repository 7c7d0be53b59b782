package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Nests two monitors, then two {@code ReentrantLock}s, as many times as its argument says, all in one method:
 * the method's lock sites pass the thread's state on from one to the next for the whole loop. Prints what it
 * computed; with {@code -Dawait.go=true} it then waits for the test's "go", so that the test can scrape it.
 */
public final class NestedLocksLoop {
    public static void main(String[] args) throws InterruptedException {
        int iterations = Integer.parseInt(args[0]);
        Object outer = new Object();
        Object inner = new Object();
        ReentrantLock first = new ReentrantLock();
        ReentrantLock second = new ReentrantLock();
        long sum = 0;
        for (int i = 0; i < iterations; i++) {
            synchronized (outer) {
                synchronized (inner) {
                    sum += i;
                }
            }
            first.lock();
            try {
                second.lock();
                try {
                    sum = sum * 31 + i;
                } finally {
                    second.unlock();
                }
            } finally {
                first.unlock();
            }
        }
        System.out.println("looped " + iterations + " times: " + sum);
        if (Boolean.getBoolean("await.go")) GoFile.await();
    }
}
