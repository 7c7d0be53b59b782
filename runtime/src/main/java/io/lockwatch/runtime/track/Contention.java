package io.lockwatch.runtime.track;

import io.lockwatch.runtime.events.ContendedLockEvent;
import io.lockwatch.runtime.events.Recordings;
import io.lockwatch.runtime.events.WaitEvent;
import io.lockwatch.runtime.util.InternalErrors;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;

/**
 * Times the waits that contend, and only those: one JFR event of ours per wait that reached the
 * threshold. An acquisition that cannot block is never timed, so the uncontended path pays two reads of
 * the lock's state and nothing else.
 *
 * <p>The checks are racy on purpose: a lock that is taken just after the check is simply not timed, and
 * one released just after it is timed at a few nanoseconds, below any threshold. Neither changes what the
 * application does.
 */
public final class Contention {
    /** AQS's private state (read/write lock counts), and ReentrantLock's protected owner: opened to us at start. */
    private static VarHandle aqsState;
    private static MethodHandle reentrantLockOwner;
    private static volatile boolean ready;

    private Contention() {}

    /** Called once the agent has opened {@code java.util.concurrent.locks} to the runtime. */
    static void init() {
        try {
            MethodHandles.Lookup aqs = MethodHandles.privateLookupIn(AbstractQueuedSynchronizer.class, MethodHandles.lookup());
            aqsState = aqs.findVarHandle(AbstractQueuedSynchronizer.class, "state", int.class);
        } catch (Throwable e) {
            aqsState = null; // read/write locks are then timed on every blocking call (still correct)
        }
        try {
            MethodHandles.Lookup rl = MethodHandles.privateLookupIn(ReentrantLock.class, MethodHandles.lookup());
            reentrantLockOwner = rl.findVirtual(ReentrantLock.class, "getOwner", MethodType.methodType(Thread.class));
        } catch (Throwable e) {
            reentrantLockOwner = null; // events then have no owner
        }
        ready = true;
    }

    /**
     * Does any recording want contention events now? Asked first: without one (no JFR recording, no metrics
     * endpoint) the lock's state is never read, so a contended lock's cache line is not touched twice.
     */
    static boolean timing() {
        // Recordings first: no event class is loaded before a recording could want it (see there), and until
        // one does, this is one load of a flag of the recorder's.
        if (!Recordings.mayRecord() || !ready) return false;
        Probes p = probes();
        return p != null && p.contendedLock.isEnabled();
    }

    /**
     * One event of each kind, never begun or committed, only asked {@code isEnabled()} (which reads the
     * event type's state, not the instance's). A new event per question is what JFR's examples do, and C2
     * removes it, but code that C2 has not compiled yet (the interpreter, C1: a service's first seconds, and
     * cold code for good) allocated one at every {@code lock()} for as long as any recording ran, the metrics
     * endpoint's included. Made on first use, so only once a recording exists.
     */
    private static final class Probes {
        final ContendedLockEvent contendedLock = new ContendedLockEvent();
        final WaitEvent waitEvent = new WaitEvent();
    }

    private static volatile Probes probes;
    private static final AtomicBoolean PROBES_STARTED = new AtomicBoolean();
    private static volatile boolean probesFailed;

    /**
     * The probes, made by the first thread that asks once a recording exists; null until they are made, and
     * for good if making them failed (counted once). Not a holder class: the first event of a kind makes JFR
     * register its class, which takes locks of JFR's and of the JDK's. Taken through a lock site that lockwatch
     * rewrote (JDK 21's {@code InternalLock}, say), such a lock asked this again on the same thread while the
     * holder class was being initialized, and read its fields as null (an internal error, on JDK 21 with the
     * metrics endpoint on, a second after start); and another thread asking meanwhile would have waited for
     * that initialization, holding whatever it held: a lock the initializing thread wanted made a deadlock.
     * Here a thread that asks while the probes are being made gets null (this wait is not timed) and waits
     * for nothing. The metrics endpoint makes them on its own thread before it starts counting
     * ({@link #prepareProbes}), so it misses no wait for that.
     */
    private static Probes probes() {
        Probes p = probes;
        if (p != null || !PROBES_STARTED.compareAndSet(false, true)) return p;
        // Lockwatch's own work on this thread: the locks JFR takes to register the events feed no graph.
        LockTracker.enterAgentCode();
        try {
            p = new Probes();
            probes = p;
        } catch (Throwable e) {
            probesFailed = true;
            TrackingFailures.record("contention events", e);
        } finally {
            LockTracker.exitAgentCode();
        }
        return p;
    }

    /**
     * Makes the probes on the calling thread, one of lockwatch's own, once a recording exists (our metrics
     * endpoint's stream, before it starts): or waits, at most a few seconds, for the application thread that
     * is making them.
     */
    public static void prepareProbes() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (probes() == null && !probesFailed && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Could this acquisition block, and is anyone timing it? Cheap and side-effect free; unknown lock types
     * are never timed. Never throws: its callers are about to take the application's lock.
     */
    static boolean mayBlock(Lock lock) {
        try {
            return timing() && stateSaysMayBlock(lock);
        } catch (Throwable e) {
            TrackingFailures.record("contention check", e);
            return false;
        }
    }

    private static boolean stateSaysMayBlock(Lock lock) {
        if (lock instanceof ReentrantLock) {
            ReentrantLock rl = (ReentrantLock) lock;
            return rl.isLocked() && !rl.isHeldByCurrentThread();
        }
        if (lock instanceof ReentrantReadWriteLock.WriteLock) {
            ReentrantReadWriteLock.WriteLock wl = (ReentrantReadWriteLock.WriteLock) lock;
            if (wl.isHeldByCurrentThread()) return false;
            int state = state(lock);
            return state != 0;
        }
        if (lock instanceof ReentrantReadWriteLock.ReadLock) {
            Object sync = LockKinds.identity(lock);
            int state = state(lock);
            // Held for writing (the low 16 bits), or a writer is queued that new readers yield to.
            return (state & 0xFFFF) != 0
                    || (sync instanceof AbstractQueuedSynchronizer && ((AbstractQueuedSynchronizer) sync).hasQueuedThreads());
        }
        return false;
    }

    private static int state(Lock lock) {
        VarHandle h = aqsState;
        Object sync = LockKinds.identity(lock);
        if (h == null || !(sync instanceof AbstractQueuedSynchronizer)) return -1; // unknown: time it
        return (int) h.getVolatile((AbstractQueuedSynchronizer) sync);
    }

    /**
     * Would taking this {@code StampedLock} in this mode wait, as far as its state tells (a write lock waits for any
     * holder, a read lock for a writer)? Asked only while a recording wants contended waits.
     */
    private static boolean mayBlock(StampedLock lock, boolean exclusive) {
        try {
            return timing() && (exclusive ? lock.isWriteLocked() || lock.isReadLocked() : lock.isWriteLocked());
        } catch (Throwable e) {
            TrackingFailures.record("contention check", e);
            return false;
        }
    }

    /** @return an event that has begun when a recording wants the wait and it may block, else null */
    static ContendedLockEvent beginStamped(StampedLock lock, boolean exclusive) {
        return mayBlock(lock, exclusive) ? beginLock(lock) : null;
    }

    /**
     * A {@code StampedLock} wait that {@link #beginStamped} began (null: none): timed as any lock's,
     * as a {@code read_lock} or {@code write_lock} wait (the kinds of a read/write lock), its class the
     * {@code StampedLock}'s. It has no owner to name.
     */
    static void endStamped(ContendedLockEvent event, StampedLock lock, boolean exclusive, int site) {
        if (event == null) return;
        try {
            event.end();
            if (!event.shouldCommit()) return;
            event.kind = exclusive ? "write_lock" : "read_lock";
            event.lockClass = lock.getClass();
            event.site = site(site);
            event.commit();
        } catch (Throwable e) {
            TrackingFailures.record("contention event", e);
        }
    }

    /**
     * Only after {@link #mayBlock} said yes, which asked the recordings already (should they stop meanwhile,
     * the event is simply not committed at its end).
     *
     * @return an event that has begun, or null if it could not be made
     */
    static ContendedLockEvent beginLock(Object lock) {
        try {
            ContendedLockEvent event = new ContendedLockEvent();
            if (lock instanceof ReentrantLock && reentrantLockOwner != null) {
                event.owner = (Thread) reentrantLockOwner.invokeExact((ReentrantLock) lock);
            }
            event.begin();
            return event;
        } catch (Throwable e) {
            TrackingFailures.record("contention event", e);
            return null;
        }
    }

    static void endLock(ContendedLockEvent event, Lock lock, int site) {
        if (event == null) return;
        try {
            event.end();
            if (!event.shouldCommit()) return;
            if (lock instanceof ReentrantReadWriteLock.ReadLock) {
                event.kind = "read_lock";
                event.lockClass = ReentrantReadWriteLock.class;
            } else if (lock instanceof ReentrantReadWriteLock.WriteLock) {
                event.kind = "write_lock";
                event.lockClass = ReentrantReadWriteLock.class;
            } else {
                event.kind = "reentrant_lock";
                event.lockClass = lock.getClass();
            }
            event.site = site(site);
            event.commit();
        } catch (Throwable e) {
            TrackingFailures.record("contention event", e);
        }
    }

    /**
     * Never throws: {@link WaitTracker} calls it outside any catch, in the application's wait.
     *
     * @return a wait event that has begun, or null when no recording wants it
     */
    static WaitEvent beginWait() {
        try {
            if (!Recordings.mayRecord() || InternalErrors.isTrackingStopped()) return null;
            Probes p = probes();
            if (p == null || !p.waitEvent.isEnabled()) return null;
            WaitEvent event = new WaitEvent();
            event.begin();
            return event;
        } catch (Throwable e) {
            TrackingFailures.record("wait event", e);
            return null;
        }
    }

    static void endWait(WaitEvent event, String kind, Object synchronizer, int site) {
        if (event == null) return;
        try {
            event.end();
            if (!event.shouldCommit()) return;
            event.kind = kind;
            event.lockClass = synchronizer.getClass();
            event.site = site(site);
            event.commit();
        } catch (Throwable e) {
            TrackingFailures.record("wait event", e);
        }
    }

    /** A site as metrics and recordings name it: {@code Class.method:line} (no line when unknown). */
    public static String site(int id) {
        StackTraceElement site = CallSites.site(id);
        if (site == null) return "unknown";
        String where = site.getClassName() + "." + site.getMethodName();
        return site.getLineNumber() > 0 ? where + ":" + site.getLineNumber() : where;
    }
}
