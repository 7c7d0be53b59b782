package io.lockwatch.it.programs;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One thread takes A then B; the other holds B and only tries A (tryLock, or tryLock with a timeout),
 * which cannot wait forever: no deadlock. With argument "lock" the second thread calls lock(): real.
 */
public final class NonBlockingAcquisition {
    static final ReentrantLock A = new ReentrantLock();
    static final ReentrantLock B = new ReentrantLock();

    public static void main(String[] args) throws Exception {
        String how = args.length > 0 ? args[0] : "tryLock";
        Staggered.steps()
                .then("ab", () -> {
                    A.lock();
                    try {
                        B.lock();
                        B.unlock();
                    } finally {
                        A.unlock();
                    }
                })
                .then("b-then-" + how, () -> {
                    B.lock();
                    try {
                        boolean locked;
                        switch (how) {
                            case "lock":
                                A.lock();
                                locked = true;
                                break;
                            case "timedTryLock":
                                try {
                                    locked = A.tryLock(10, TimeUnit.MILLISECONDS);
                                } catch (InterruptedException e) {
                                    locked = false;
                                }
                                break;
                            default:
                                locked = A.tryLock();
                        }
                        if (locked) A.unlock();
                    } finally {
                        B.unlock();
                    }
                })
                .run();
        System.out.println("done");
    }
}
