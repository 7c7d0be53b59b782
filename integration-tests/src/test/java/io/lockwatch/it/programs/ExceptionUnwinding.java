package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Exceptions unwind nested synchronized blocks and methods (and a ReentrantLock's finally). If lockwatch
 * kept thinking the thread still held A and B afterwards, its later lock of C would add edges A -> C and
 * B -> C, and the other thread's C -> A would look like an inversion. Correct tracking finds nothing.
 */
public final class ExceptionUnwinding {
    static final Object A = new Object();
    static final ExceptionUnwinding B = new ExceptionUnwinding();
    static final ReentrantLock D = new ReentrantLock();
    static final Object C = new Object();

    synchronized void failInsideMethod() {
        D.lock();
        try {
            throw new IllegalStateException("boom");
        } finally {
            D.unlock();
        }
    }

    static void failInsideBlocks() {
        synchronized (A) {
            synchronized (B) {
                B.failInsideMethod();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Staggered.steps()
                .then("thrower", () -> {
                    for (int i = 0; i < 3; i++) {
                        try {
                            failInsideBlocks();
                        } catch (IllegalStateException expected) {
                            // unwound through two blocks and one synchronized method
                        }
                    }
                    synchronized (C) {
                        Thread.onSpinWait();
                    }
                })
                .then("other", () -> {
                    synchronized (C) {
                        synchronized (A) {
                            Thread.onSpinWait();
                        }
                    }
                })
                .run();
        System.out.println("done");
    }
}
