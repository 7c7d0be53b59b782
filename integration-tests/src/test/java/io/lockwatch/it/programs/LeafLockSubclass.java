package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A ReentrantLock subclass whose {@code unlock()} takes another lock (AUDIT) while it still holds itself.
 * The first thread's {@code lock(); try { count++; } finally { unlock(); }} looks like a leaf section in its
 * bytecode, but the subclass's code runs inside it: LOCK -> AUDIT. The second thread takes AUDIT, then LOCK.
 * That inversion is real, and lockwatch must see it.
 */
public final class LeafLockSubclass {
    static final Object AUDIT = new Object();
    static final ReentrantLock LOCK = new AuditedLock();
    static long count;
    static long audits;

    static final class AuditedLock extends ReentrantLock {
        @Override
        public void unlock() {
            synchronized (AUDIT) {
                audits++;
            }
            super.unlock();
        }
    }

    public static void main(String[] args) throws Exception {
        Staggered.steps()
                .then("first", () -> {
                    LOCK.lock();
                    try {
                        count++;
                    } finally {
                        LOCK.unlock();
                    }
                })
                .then("second", () -> {
                    synchronized (AUDIT) {
                        LOCK.lock();
                        try {
                            count++;
                        } finally {
                            LOCK.unlock();
                        }
                    }
                })
                .run();
        System.out.println("done");
    }
}
