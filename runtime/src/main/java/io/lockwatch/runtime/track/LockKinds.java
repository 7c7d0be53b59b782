package io.lockwatch.runtime.track;

import io.lockwatch.runtime.graph.LockNode;
import io.lockwatch.runtime.graph.Occurrence;
import java.lang.reflect.Field;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What a lock is, for the graph: its identity, its mode, and which of its identity's locks it is.
 *
 * <p>The read and write locks of one {@link ReentrantReadWriteLock} are one lock in the graph (a write
 * lock then a monitor, against the monitor then the read lock, is an inversion), told apart by mode. Their
 * common identity is the private {@code sync} object they share, which the agent opens to us at start.
 * The bins of a {@code ConcurrentHashMap} are one lock in the graph too, the map's bins (see
 * {@link LockTracker#binMonitorEnter}).
 */
final class LockKinds {
    static final String READ_WRITE_LOCK = ReentrantReadWriteLock.class.getName();

    private static volatile Field readSync;
    private static volatile Field writeSync;
    private static volatile Field reentrantSync;
    /** The views of a {@code StampedLock} ({@code asReadLock}, {@code asWriteLock}) and the field naming it. */
    private static volatile Class<?> stampedReadView;
    private static volatile Class<?> stampedWriteView;
    private static volatile Field stampedReadOwner;
    private static volatile Field stampedWriteOwner;

    private LockKinds() {}

    /** Called once the agent has opened {@code java.util.concurrent.locks} to the runtime. */
    static void init() {
        try {
            Field r = ReentrantReadWriteLock.ReadLock.class.getDeclaredField("sync");
            Field w = ReentrantReadWriteLock.WriteLock.class.getDeclaredField("sync");
            r.setAccessible(true);
            w.setAccessible(true);
            readSync = r;
            writeSync = w;
            Field s = java.util.concurrent.locks.ReentrantLock.class.getDeclaredField("sync");
            s.setAccessible(true);
            reentrantSync = s;
        } catch (Throwable e) {
            // Read and write locks then count as two locks: fewer inversions found, none wrong.
            io.lockwatch.runtime.util.Log.warn("cannot see inside ReentrantReadWriteLock (" + e
                    + "); its read and write locks are tracked as separate locks");
        }
    }

    /**
     * The views a {@code StampedLock} gives as {@code Lock}s: the same lock in the graph as the stamps' (the view is
     * a nested class of the lock, which names it in its {@code this$0}). Without them a view counts as a lock of
     * its own: fewer inversions found, none wrong.
     */
    static void initStampedLockViews() {
        try {
            Class<?> read = Class.forName("java.util.concurrent.locks.StampedLock$ReadLockView");
            Class<?> write = Class.forName("java.util.concurrent.locks.StampedLock$WriteLockView");
            Field r = read.getDeclaredField("this$0");
            Field w = write.getDeclaredField("this$0");
            r.setAccessible(true);
            w.setAccessible(true);
            stampedReadOwner = r;
            stampedWriteOwner = w;
            stampedReadView = read;
            stampedWriteView = write;
        } catch (Throwable e) {
            // Views then stay locks of their own.
        }
    }

    /**
     * How many read holds the current thread has of the read/write lock whose {@code Sync} this is, asked of the lock
     * itself; -1 when it cannot be told. Looked up on first use: only a thread that seems to upgrade its read lock
     * asks (see {@link LockTracker}).
     */
    static int readHoldCount(Object readWriteSync) {
        try {
            java.lang.reflect.Method count = ReadHolds.COUNT;
            return count == null ? -1 : (Integer) count.invoke(readWriteSync);
        } catch (Throwable e) {
            return -1;
        }
    }

    /** {@code ReentrantReadWriteLock.Sync.getReadHoldCount()}, opened to us with the package at start. */
    private static final class ReadHolds {
        static final java.lang.reflect.Method COUNT = find();

        private static java.lang.reflect.Method find() {
            try {
                java.lang.reflect.Method m = Class.forName(READ_WRITE_LOCK + "$Sync").getDeclaredMethod("getReadHoldCount");
                m.setAccessible(true);
                return m;
            } catch (Throwable e) {
                return null;
            }
        }
    }

    /** Is this one of a {@code StampedLock}'s views (its identity is then the StampedLock)? */
    static boolean isStampedLockView(Lock lock) {
        Class<?> type = lock.getClass();
        return type == stampedWriteView || type == stampedReadView;
    }

    static byte mode(Lock lock) {
        return lock instanceof ReentrantReadWriteLock.ReadLock || lock.getClass() == stampedReadView
                ? Occurrence.SHARED : Occurrence.EXCLUSIVE;
    }

    static Object identity(Lock lock) {
        try {
            if (lock instanceof ReentrantReadWriteLock.ReadLock && readSync != null) return readSync.get(lock);
            if (lock instanceof ReentrantReadWriteLock.WriteLock && writeSync != null) return writeSync.get(lock);
            Class<?> type = lock.getClass();
            if (type == stampedReadView) return stampedReadOwner.get(lock);
            if (type == stampedWriteView) return stampedWriteOwner.get(lock);
        } catch (IllegalAccessException e) {
            // fall through: the lock object itself
        }
        return lock;
    }

    /**
     * The synchronizer threads park on while they wait for this lock (what a thread dump names as the
     * lock it waits for), or null when it cannot be told.
     */
    static Object synchronizer(Object lock, Object identity) {
        try {
            if (identity != lock) return identity; // a read or write lock: the shared sync; a StampedLock's view: it
            if (lock instanceof java.util.concurrent.locks.StampedLock) return lock; // it parks its waiters on itself
            Field s = reentrantSync;
            if (lock instanceof java.util.concurrent.locks.ReentrantLock && s != null) return s.get(lock);
        } catch (Throwable e) {
            // unknown: waiters are then matched by their lock's owner alone
        }
        return null;
    }

    /**
     * The class users know the lock by: the lock's own, a map's for its bins, the read/write lock's for its
     * halves. {@code part} is {@link #part}'s answer for the same two.
     */
    static String className(Object lock, Object identity, byte part) {
        if (identity == lock || identity instanceof java.util.concurrent.locks.StampedLock) return identity.getClass().getName();
        return part == LockNode.WHOLE ? READ_WRITE_LOCK : identity.getClass().getName();
    }

    /**
     * Which of its identity's locks a lock is: the bins of a {@code ConcurrentHashMap} and the class-loading
     * locks of a parallel-capable class loader (both passed along by {@link LockTracker#binMonitorEnter}) are
     * a lock of their own beside the map's or loader's monitor; anything else is the whole object. A loader
     * that is not parallel-capable locks itself to load: that is its own monitor, the lock being the identity.
     */
    static byte part(Object lock, Object identity) {
        if (identity == lock) return LockNode.WHOLE;
        if (identity instanceof ConcurrentHashMap) return LockNode.BINS;
        return identity instanceof ClassLoader ? LockNode.CLASS_LOADING : LockNode.WHOLE;
    }
}
