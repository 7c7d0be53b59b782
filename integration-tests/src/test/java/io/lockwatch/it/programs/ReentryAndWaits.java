package io.lockwatch.it.programs;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The first thread holds A and B, re-enters A, waits on B's monitor and on a Condition of L (each wait
 * releases and re-takes its lock). Re-entry and re-taking after a wait are no edges, so the second thread's
 * A -> B -> L order is consistent: no finding. With argument "other-lock" the first thread takes a second
 * object A2 instead of re-entering A, and the second thread takes A2 before B: a real inversion.
 */
public final class ReentryAndWaits {
    static final Object A = new Object();
    static final Object A2 = new Object();
    static final Object B = new Object();
    static final ReentrantLock L = new ReentrantLock();
    static final Condition NEVER_SIGNALLED = L.newCondition();

    public static void main(String[] args) throws Exception {
        boolean otherLock = args.length > 0 && args[0].equals("other-lock");
        Staggered.steps()
                .then("reenters-and-waits", () -> {
                    synchronized (A) {
                        synchronized (B) {
                            synchronized (otherLock ? A2 : A) {
                                Thread.onSpinWait();
                            }
                            try {
                                B.wait(5);
                                L.lock();
                                try {
                                    NEVER_SIGNALLED.await(5, TimeUnit.MILLISECONDS);
                                } finally {
                                    L.unlock();
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                })
                .then("a-b-l", () -> {
                    synchronized (otherLock ? A2 : A) {
                        synchronized (B) {
                            L.lock();
                            L.unlock();
                        }
                    }
                })
                .run();
        System.out.println("done");
    }
}
