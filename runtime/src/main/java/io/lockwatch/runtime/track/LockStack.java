package io.lockwatch.runtime.track;

import java.util.concurrent.locks.Lock;

/**
 * A copy of one thread's held-lock stack, read by the hang detector from its own thread while the owner runs
 * on ({@link ThreadState#lockStack}). Nothing orders the two threads, so the copy may be stale; the detector
 * uses it only for what it then sees again at its next check.
 *
 * <p>A monitor and a {@code ReentrantLock} taken by {@code lock()} go on the stack just before the thread
 * asks for them, so the top entry of a thread that is blocked may be the lock it is waiting for, not one it
 * holds ({@link #topMayBePending}); every other lock is pushed once it is held.
 */
public final class LockStack {
    public final Thread thread;
    public final long threadId;
    /** The state the thread was in when the copy was taken: {@code BLOCKED}, {@code WAITING} or {@code TIMED_WAITING}. */
    public final Thread.State state;
    private final Object[] locks;
    private final Object[] identities;
    private final byte[] modes;
    private final int[] sites;
    /** The stamps of StampedLock entries (0 elsewhere), or null when the thread never took one by its stamps. */
    private final long[] stamps;
    /**
     * A virtual thread's count of parks when the copy was taken ({@link ThreadState#parks}): changed from one check
     * to the next, the thread's wait is a new one, however alike the two look. 0 for a platform thread.
     */
    public final int parks;
    /**
     * The thread it joined last where either is virtual, or null ({@link ThreadState#joined}): it may have returned
     * from that join since, so a wait is tied to it only when the stack shows the thread in {@code Thread.join}.
     */
    public final Thread joined;

    /** Whose copy this is: for {@link #parksNow}. */
    private final ThreadState source;

    LockStack(Thread thread, ThreadState source, Thread.State state, Object[] locks, Object[] identities, byte[] modes,
              int[] sites, long[] stamps) {
        this.thread = thread;
        this.threadId = source.threadId;
        this.state = state;
        this.locks = locks;
        this.identities = identities;
        this.modes = modes;
        this.sites = sites;
        this.stamps = stamps;
        this.parks = source.parks;
        this.joined = source.joined;
        this.source = source;
    }

    /**
     * The thread's count of parks as it is now, not as copied ({@link #parks}): for a reading of the thread that must
     * fall between two of them (see the hang detector's {@code CarrierWaits}).
     */
    public int parksNow() {
        return source.parks;
    }

    public int size() {
        return locks.length;
    }

    /** What was locked: the monitor, or the {@code Lock} object. */
    public Object lockAt(int i) {
        return locks[i];
    }

    public boolean isMonitorAt(int i) {
        return !(locks[i] instanceof Lock) && !(locks[i] instanceof java.util.concurrent.locks.StampedLock);
    }

    /** What threads park on while they wait for the lock at {@code i} (null for a monitor). */
    public Object synchronizerAt(int i) {
        return isMonitorAt(i) ? null : LockKinds.synchronizer(locks[i], identities[i]);
    }

    /** The object a thread waits on for the lock at {@code i}: the monitor itself, or the synchronizer. */
    public Object waitedOnAt(int i) {
        return isMonitorAt(i) ? locks[i] : synchronizerAt(i);
    }

    /** Held as a reader (a read/write lock's read lock). */
    public boolean isSharedAt(int i) {
        return modes[i] == io.lockwatch.runtime.graph.Occurrence.SHARED;
    }

    /**
     * Whether the entry at {@code i} is a hold of this {@code StampedLock} (by its stamps or through a view) that
     * is still in place, asked of the lock itself: the thread may have handed its stamp to another thread, which
     * unlocked it (see {@link StampedHolds}).
     */
    public boolean holdsStampedAt(int i, java.util.concurrent.locks.StampedLock lock) {
        if (identities[i] != lock) return false;
        long stamp = stamps != null && locks[i] == lock ? stamps[i] : 0;
        return StampedHolds.inPlace(lock, !isSharedAt(i), stamp);
    }

    /** Where the lock at {@code i} was taken, or null when unknown. */
    public StackTraceElement siteAt(int i) {
        return CallSites.site(sites[i]);
    }

    /** Whether the top entry may be a lock the thread is still waiting for (see the class comment). */
    public boolean topMayBePending() {
        int top = locks.length - 1;
        if (top < 0) return false; // holds nothing: a thread parked on a lock other than a ReentrantLock
        return isMonitorAt(top) || locks[top].getClass() == java.util.concurrent.locks.ReentrantLock.class;
    }
}
