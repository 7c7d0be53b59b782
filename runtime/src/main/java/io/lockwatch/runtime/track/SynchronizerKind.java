package io.lockwatch.runtime.track;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * Whose a synchronizer (what a parked thread's {@code LockSupport.getBlocker} names) is: nobody's (a latch's,
 * a semaphore's), an exclusive lock's, or a read/write lock's. A synchronizer is a lock's when it is a nested
 * class of a {@code Lock} ({@code ReentrantLock}'s, or any other built the same way) or of a
 * {@code ReadWriteLock}, and so held by whoever has that lock.
 */
public enum SynchronizerKind {
    NONE, LOCK, READ_WRITE;

    private static final ClassValue<SynchronizerKind> BY_CLASS = new ClassValue<SynchronizerKind>() {
        @Override
        protected SynchronizerKind computeValue(Class<?> synchronizer) {
            Class<?> outer = synchronizer.getEnclosingClass();
            if (outer == null) return NONE;
            if (ReadWriteLock.class.isAssignableFrom(outer)) return READ_WRITE;
            return Lock.class.isAssignableFrom(outer) ? LOCK : NONE;
        }
    };

    public static SynchronizerKind of(Object synchronizer) {
        return BY_CLASS.get(synchronizer.getClass());
    }
}
