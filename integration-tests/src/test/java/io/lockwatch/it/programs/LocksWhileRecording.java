package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Uncontended locking while a JFR recording runs, in code that C2 has not compiled (the test runs it with C1
 * alone, as a service's first seconds and its cold code run): a {@code ReentrantLock} taken and released and
 * a monitor, a million times, after as many for warm-up. Prints the bytes the thread allocated per
 * iteration: lockwatch's path for a lock that nobody contends allocates nothing, recording or not.
 */
public final class LocksWhileRecording {
    static final int ITERATIONS = 1_000_000;
    static final ReentrantLock LOCK = new ReentrantLock();
    static final Object MONITOR = new Object();
    static long counter;

    static void iteration() {
        LOCK.lock();
        try {
            counter++;
        } finally {
            LOCK.unlock();
        }
        synchronized (MONITOR) {
            counter++;
        }
    }

    public static void main(String[] args) {
        for (int i = 0; i < ITERATIONS; i++) iteration();
        long before = AllocatedBytes.ofThisThread();
        for (int i = 0; i < ITERATIONS; i++) iteration();
        long allocated = AllocatedBytes.ofThisThread() - before;
        System.out.println((double) allocated / ITERATIONS + " bytes per iteration");
        System.out.println("counter " + counter);
    }
}
