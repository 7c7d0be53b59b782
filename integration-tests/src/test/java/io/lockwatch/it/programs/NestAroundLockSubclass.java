package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A nest in its bytecode (X's block takes nothing but a lock() section), around a ReentrantLock subclass
 * whose unlock() takes Y: while the first thread holds X and SUB, SUB.unlock() takes Y, so X -> Y. The
 * second thread takes Y, then X. The inversion X/Y is real, and only seen if X is still on the held stack
 * when the subclass's own code runs.
 */
public final class NestAroundLockSubclass {
    static final Object X = new Object();
    static final Object Y = new Object();
    static final ReentrantLock SUB = new AuditedLock();
    static long count;
    static long audits;

    static final class AuditedLock extends ReentrantLock {
        @Override
        public void unlock() {
            synchronized (Y) {
                audits++;
            }
            super.unlock();
        }
    }

    public static void main(String[] args) throws Exception {
        Staggered.steps()
                .then("first", () -> {
                    synchronized (X) {
                        SUB.lock();
                        try {
                            count++;
                        } finally {
                            SUB.unlock();
                        }
                    }
                })
                .then("second", () -> {
                    synchronized (Y) {
                        synchronized (X) {
                            work();
                        }
                    }
                })
                .run();
        System.out.println("done");
    }

    static void work() {}
}
