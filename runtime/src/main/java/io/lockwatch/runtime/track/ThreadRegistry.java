package io.lockwatch.runtime.track;

import io.lockwatch.runtime.graph.Occurrence;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The threads that have taken a {@code java.util.concurrent} lock, so that the hang detector can notice
 * one that ends while still holding such a lock: nobody can ever unlock it again, and every thread that
 * later wants it hangs. (A monitor cannot outlive its owner this way: the JVM releases it when the
 * {@code synchronized} block or method unwinds.)
 *
 * <p>A thread registers itself once, with its first {@code Lock} acquisition: one lock-free queue offer per
 * thread. The registry holds the thread weakly and its held-lock stack strongly; the detector drops each
 * entry as soon as the thread has ended. At most {@link #MAX_THREADS} live threads are watched; more are
 * counted in {@link #dropped}.
 */
public final class ThreadRegistry {
    public static final int MAX_THREADS = 1 << 16;

    private static final ConcurrentLinkedQueue<ThreadState> STATES = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger SIZE = new AtomicInteger();
    private static final AtomicLong DROPPED = new AtomicLong();

    private ThreadRegistry() {}

    /** Called on the application thread, with its first java.util.concurrent lock. */
    static void register(ThreadState state) {
        state.registered = true;
        if (SIZE.incrementAndGet() > MAX_THREADS) {
            SIZE.decrementAndGet();
            DROPPED.incrementAndGet();
            return;
        }
        state.threadName = Thread.currentThread().getName();
        STATES.offer(state);
    }

    /** Threads that took a java.util.concurrent lock but could not be watched (over the cap). */
    public static long dropped() {
        return DROPPED.get();
    }

    public static int watched() {
        return SIZE.get();
    }

    /** A {@code java.util.concurrent.locks} lock that a thread still held when it ended. */
    public static final class HeldByDeadThread {
        public final String threadName;
        public final long threadId;
        /** The lock object the application uses (a ReentrantLock, or a read or write lock). */
        public final Object lock;
        /** What waiting threads park on (what thread dumps name), or null if unknown. */
        public final Object synchronizer;
        public final boolean read;
        /** Where the lock was taken, a {@link CallSites} number. */
        public final int site;

        HeldByDeadThread(String threadName, long threadId, Object lock, Object synchronizer, boolean read, int site) {
            this.threadName = threadName;
            this.threadId = threadId;
            this.lock = lock;
            this.synchronizer = synchronizer;
            this.read = read;
            this.site = site;
        }
    }

    /**
     * For the detector only: forgets the threads that have ended and returns the
     * {@code ReentrantLock}s and read/write locks they still held.
     */
    public static List<HeldByDeadThread> collectEnded() {
        List<HeldByDeadThread> out = null;
        for (Iterator<ThreadState> it = STATES.iterator(); it.hasNext(); ) {
            ThreadState state = it.next();
            Thread thread = state.thread.get();
            if (thread != null && thread.isAlive()) {
                state.threadName = thread.getName(); // the name it will be reported under
                continue;
            }
            it.remove();
            SIZE.decrementAndGet();
            // The thread has ended: its last writes to its state happen-before isAlive() returned false.
            for (int i = 0; i < state.heldCount(); i++) {
                Object lock = state.heldAt(i);
                if (!isJdkLock(lock) || !stillLocked(lock, state.threadName)) continue;
                if (out == null) out = new ArrayList<>(2);
                Object identity = state.identityAt(i);
                out.add(new HeldByDeadThread(state.threadName, state.threadId, lock,
                        LockKinds.synchronizer(lock, identity), state.modeAt(i) == Occurrence.SHARED, state.siteAt(i)));
            }
        }
        return out == null ? java.util.Collections.emptyList() : out;
    }

    /** The JDK's own lock classes only: their methods below are known not to block or lock. */
    private static boolean isJdkLock(Object lock) {
        Class<?> c = lock.getClass();
        return c == ReentrantLock.class || c == ReentrantReadWriteLock.ReadLock.class
                || c == ReentrantReadWriteLock.WriteLock.class;
    }

    /**
     * A cross-check of our own bookkeeping against the lock itself, through its {@code toString}, the one
     * public view of its owner: "[Locked by thread NAME]", "[Unlocked]" or "[Read locks = N]".
     */
    private static boolean stillLocked(Object lock, String ownerName) {
        String s = lock.toString();
        if (s.endsWith("[Unlocked]") || s.endsWith("[Read locks = 0]")) return false;
        int by = s.lastIndexOf("[Locked by thread ");
        return by < 0 || ownerName == null || s.startsWith(ownerName + "]", by + "[Locked by thread ".length());
    }
}
