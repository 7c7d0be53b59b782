package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantLock;

/**
 * An inversion between a monitor and a ReentrantLock where each is the other's inner lock in a leaf
 * critical section (nothing called inside it), which lockwatch checks without putting it on the held stack.
 * The first thread takes A, then LOCK in {@code lock(); try { ... } finally { unlock(); }}; the second takes
 * LOCK (re-entering it once in a leaf first), then A in a leaf block.
 */
public final class LeafLockInversion {
    static final Object A = new Object();
    static final ReentrantLock LOCK = new ReentrantLock();
    static long count;

    public static void main(String[] args) throws Exception {
        Staggered.steps()
                .then("first", () -> {
                    synchronized (A) {
                        LOCK.lock();
                        try {
                            count++;
                        } finally {
                            LOCK.unlock();
                        }
                    }
                })
                .then("second", () -> {
                    LOCK.lock();
                    try {
                        // A leaf re-entry: its unlock must take off one hold, not LOCK itself, or the edge
                        // LOCK -> A below would be lost.
                        LOCK.lock();
                        try {
                            count++;
                        } finally {
                            LOCK.unlock();
                        }
                        synchronized (A) {
                            count++;
                        }
                    } finally {
                        LOCK.unlock();
                    }
                })
                .run();
        System.out.println("done");
    }
}
