package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Nests two {@code ReentrantLock}s around a method call, as many times as its argument says, all in one method
 * that starts before anything fails: neither section is a leaf (each calls out), so every acquisition takes the
 * lock path whole (order check, push, contention check, the thread's registration), and the method's lock sites
 * pass the thread's state on from one to the next for the whole loop. Prints what it computed; with
 * {@code -Dawait.go=true} it then waits for the test's "go", so that the test can scrape it.
 */
public final class NestedLockCallsLoop {
    public static void main(String[] args) throws InterruptedException {
        int iterations = Integer.parseInt(args[0]);
        ReentrantLock first = new ReentrantLock();
        ReentrantLock second = new ReentrantLock();
        long sum = 0;
        for (int i = 0; i < iterations; i++) {
            first.lock();
            try {
                second.lock();
                try {
                    sum = mix(sum, i);
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

    /** What {@link NestedLocksLoop} computes per iteration, so that the tests have one oracle. */
    static long mix(long sum, int i) {
        sum += i;
        return sum * 31 + i;
    }
}
