package io.lockwatch.runtime.track;

import io.lockwatch.runtime.events.ContendedLockEvent;
import io.lockwatch.runtime.graph.LockOrderGraph;
import io.lockwatch.runtime.graph.Occurrence;
import io.lockwatch.runtime.graph.SegmentGraph;
import io.lockwatch.runtime.util.InternalErrors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;
import jdk.internal.vm.annotation.DontInline;

/**
 * The acquisition hot path: what instrumented bytecode calls, on every lock the application takes.
 *
 * <ul>
 *   <li>{@code synchronized}: the instrumentation calls {@link #monitorEnter} just before each
 *       {@code monitorenter} (so a monitor that is about to block is already an edge, as in lockdep, and
 *       the object is not yet locked when we read its identity hash) and {@link #monitorExit} just
 *       before each {@code monitorexit}, including the ones on exception paths. A leaf section (nothing
 *       can be locked inside it) enters through {@link #leafEntry} instead.</li>
 *   <li>{@link Lock}: each call site of {@code lock}, {@code lockInterruptibly}, {@code tryLock} and
 *       {@code unlock} is rewritten to call the method of the same name here, with the site's number.</li>
 * </ul>
 * Rules for everything below: never throw into the caller (every failure is counted), never take a
 * lock, allocate only when an edge is new, and do nothing while lockwatch itself runs on the thread.
 */
public final class LockTracker {
    private static final ThreadLocal<ThreadState> STATE = new ThreadLocal<ThreadState>() {
        @Override
        protected ThreadState initialValue() {
            return new ThreadState(Thread.currentThread());
        }
    };

    /** Off until the agent has started, and once tracking has stopped ({@link #stopTracking}). */
    private static volatile boolean enabled;
    private static LockOrderGraph graph;
    private static int stackDepth;

    static final AtomicLong heldOverflow = new AtomicLong();

    private LockTracker() {}

    public static void start(LockOrderGraph lockOrderGraph, int depth) {
        graph = lockOrderGraph;
        stackDepth = depth;
        LockKinds.init();
        LockKinds.initStampedLockViews();
        Contention.init();
        StackCapture.checkThrowables(depth);
        // Now, before any class is instrumented, rather than first at a leaf site somewhere in the JDK's work.
        LeafEntry.load();
        // And the failure path's, which a catch block must not have to load (a jar without it fails here, cleanly).
        TrackingFailures.load();
        // Instrumented wait sites call it directly, outside any catch of ours: a jar without it must fail here too.
        WaitTracker.load();
        enabled = true;
    }

    /**
     * Tracking stops for good: failures on the tracking paths came too often ({@link TrackingFailures}).
     * From here on no thread's state is looked up, so lock sites run the application's locking and nothing
     * else; a method already running passes on its state until it returns, or until its next failure, which
     * retires that state ({@link #retireCurrentThread}). The hang detector, which reads the JVM's own thread
     * snapshots, goes on; what was found so far stays.
     */
    static void stopTracking(String because) {
        InternalErrors.trackingStopped(because);
        enabled = false;
        InternalErrors.printLater("stopped tracking locks after " + because + ". A failure at every lock would cost the application"
                + " an exception each time, so lockwatch no longer checks lock order or times waits in this JVM; hang"
                + " detection goes on, and what was found so far stays in the report (stats.trackingStopped)."
                + " Restart the JVM to track again, and please report this line");
    }

    /**
     * After a failure on a tracking path once tracking has stopped: the calling thread's state is retired (see
     * {@link ThreadState#retire}), so that the methods still running on it that hand its state to their lock
     * sites stop as well. Never throws; a thread whose state cannot be had has none to hand on.
     */
    static void retireCurrentThread() {
        try {
            STATE.get().retire();
        } catch (Throwable ignored) {
            // Counted already: this is the failure path.
        }
    }

    /**
     * Marks the calling thread as one of lockwatch's own: nothing it locks is tracked. Never throws: a thread
     * whose state cannot be made (a class of it that cannot load) has none to track with either, and the
     * thread (the detector) must go on; before, it died on its first line with the error on stderr.
     */
    public static void ignoreCurrentThread() {
        try {
            STATE.get().busy = true;
        } catch (Throwable e) {
            InternalErrors.record("lockwatch thread state", e);
        }
    }

    /** The calling thread's state, or null for lockwatch's own threads and before the agent started. */
    static ThreadState currentState() {
        ThreadState t = state(null);
        return t == null || t.busy ? null : t;
    }

    static int stackDepth() {
        return stackDepth;
    }

    /**
     * Brackets work that lockwatch does on an application thread, such as transforming a class while the
     * thread loads it: JDK code run by that work (collections, class parsing) must not feed the graph.
     * Calls nest; every enter must be followed by an exit.
     */
    public static void enterAgentCode() {
        try {
            STATE.get().enterAgentCode();
        } catch (Throwable e) {
            InternalErrors.record("enterAgentCode", e);
        }
    }

    public static void exitAgentCode() {
        try {
            STATE.get().exitAgentCode();
        } catch (Throwable e) {
            InternalErrors.record("exitAgentCode", e);
        }
    }

    /** How many times a stack was walked (only for new edges from a new pair of sites). */
    public static long stacksCaptured() {
        return StackCapture.walks.get();
    }

    public static long heldOverflowCount() {
        return heldOverflow.get();
    }

    /**
     * The thread's state for a call from instrumented code. The instrumentation keeps what the first lock
     * site of a method invocation got back in a local variable of that method and passes it to the later
     * ones ({@code state}), so a method that takes and releases several locks looks up the thread-local
     * once; it is null at the first site, and in calls from elsewhere. Null before the agent started.
     */
    private static ThreadState state(Object state) {
        if (state != null) return (ThreadState) state;
        if (!enabled) return null;
        Thread current = Thread.currentThread();
        ThreadState t = STATE_BY_ID[slotOf(current)];
        return t != null && t.thread.refersTo(current) ? t : stateAfterMiss(current);
    }

    /**
     * The threads' states by thread id, a direct-mapped cache in front of {@link #STATE}: a few loads and
     * no hashing where the thread-local probes its table, and all that the JIT inlines at a lock site (the
     * thread-local's miss and set-up paths stay out of line). A method that takes one lock per call (a
     * synchronized method in a loop) looks the state up on every call: the bench's {@code calls} case went
     * from 18.6 to 11.9 ns per call with this cache (5.3 without the agent).
     *
     * <p>A slot holds the state of the last thread of its ids that missed (ids 1,024 apart share a slot);
     * the state's weak reference to its thread says whose it is, so a slot can be stale, never wrong. A
     * thread empties its slot as it ends; one that ends without {@code Thread.exit} (a virtual thread)
     * leaves its state there until another thread takes the slot: at most 1,024 of those, each small (no
     * stack cache unless it found a new edge).
     */
    private static final ThreadState[] STATE_BY_ID = new ThreadState[1024];

    private static int slotOf(Thread thread) {
        return slotOf(thread.getId());
    }

    private static int slotOf(long threadId) {
        return (int) threadId & (STATE_BY_ID.length - 1);
    }

    /** The thread's state if the lookup cache holds it, else null: never makes one (see {@link ThreadCalls#parking}). */
    static ThreadState cachedState(Thread thread) {
        ThreadState t = STATE_BY_ID[slotOf(thread)];
        return t != null && t.thread.refersTo(thread) ? t : null;
    }

    /**
     * Puts a state back in the lookup cache, from the hang detector's thread: a racy store, like every store there,
     * of a state whose thread is named by its final weak reference, so a reader finds it or not, never a wrong one.
     */
    static void cache(ThreadState state) {
        int slot = slotOf(state.threadId);
        if (STATE_BY_ID[slot] != state) STATE_BY_ID[slot] = state;
    }

    /**
     * Out of line, so that the thread-local's paths stay out of the code compiled at lock sites. Never
     * throws (making a thread's first state allocates): some callers are about to take the application's
     * lock outside any try. The lookup before it cannot throw.
     */
    @DontInline
    private static ThreadState stateAfterMiss(Thread current) {
        ThreadState t;
        try {
            t = STATE.get();
            STATE_BY_ID[slotOf(current)] = t;
        } catch (Throwable e) {
            TrackingFailures.record("thread state", e);
            return null;
        }
        try {
            ThreadRegistry.watchFromFirstLock(t);
        } catch (Throwable e) { // the thread is tracked all the same, only not watched for hangs
            TrackingFailures.record("thread registry", e);
        }
        return t;
    }

    // ---- synchronized blocks and methods ----

    public static void monitorEnter(Object monitor, int site) {
        monitorEnter(monitor, site, null);
    }

    /** @return the thread's state, for the instrumented method to pass to its next lock sites */
    public static Object monitorEnter(Object monitor, int site, Object state) {
        return enterMonitor(monitor, monitor, site, state);
    }

    /**
     * Before the {@code monitorenter} of a bin in {@code ConcurrentHashMap}'s own methods ({@code put},
     * {@code remove}, {@code computeIfAbsent}, ...): the bin is held and released as the monitor it is, but
     * in the lock-order graph it is <em>the map's bins</em>, one lock per map. A bin is whichever entry heads
     * it at the moment, so the bin objects are as many and as short-lived as the entries, and which bin a key
     * falls in is a matter of hashing: a lock taken under a map's bins (a mapping function that locks)
     * and that map's bins taken under it (a {@code put} under that lock) can deadlock whenever two keys meet
     * in a bin, whether or not this run's keys did. Tracked per object, every bin that a program locks under
     * one of its own locks was a node, and most of the graph of a database (H2) was bins. The map's own
     * monitor ({@code synchronized (map)}) is another lock, and the bins are never a gate (two threads can
     * each hold a bin of the map at once: see LockNode#isMutuallyExclusive).
     *
     * <p>The JDK's class loaders pass their class-loading locks the same way ({@code map} is then the loader):
     * a parallel-capable loader locks a fresh object per class name, one that lives as long as the loader, so
     * tracked per object every class loaded was a lock and a dozen edges that stayed. One lock per loader also
     * reports a loader whose loading takes a lock that its callers hold when they load, whichever two classes
     * this run loaded; per name, only the same class loaded in both orders would show it.
     *
     * @return the thread's state, for the instrumented method to pass to its next lock sites
     */
    public static Object binMonitorEnter(Object bin, Object map, int site, Object state) {
        return enterMonitor(bin, map, site, state);
    }

    private static Object enterMonitor(Object monitor, Object identity, int site, Object state) {
        if (monitor == null) return state; // monitorenter throws the NPE itself
        try {
            ThreadState t = state(state);
            if (t != null && !t.busy) t.acquiring(graph, monitor, identity, Occurrence.EXCLUSIVE, site, false, stackDepth);
            return t;
        } catch (Throwable e) {
            TrackingFailures.record("monitorEnter", e);
            return state;
        }
    }

    /**
     * Before the {@code monitorenter} of a leaf critical section: a {@code synchronized} block or method
     * whose body can take no other lock, call no method and load no class (the instrumentation proves it
     * from the bytecode). Nothing can be acquired while it is held, so it is never the "held" end of an
     * edge and need not be on the held stack: only the order check of the locks held so far against it is
     * done. Its release calls still come, and find nothing to pop; a re-entry counts one more hold of the
     * entry already there, which its release then takes off.
     *
     * <p>The instrumentation calls, in this order: {@link #threadState} (kept in the method's state local),
     * this method, and then {@link LeafEntry#enter} on what it returned, so that the JIT profiles at each
     * site whether the check ran there (see {@link LeafEntry}).
     *
     * @param state what {@link #threadState} returned
     */
    public static LeafEntry leafEntry(Object state) {
        ThreadState t = (ThreadState) state;
        return t == null || t.nothingToCheck(null) || t.busy ? LeafEntry.NOTHING_HELD : LeafEntry.ORDER_CHECK;
    }

    /** @return the thread's state for the instrumented method to keep (see {@link #state}); never throws */
    public static Object threadState(Object state) {
        try {
            return state(state);
        } catch (Throwable e) {
            TrackingFailures.record("thread state", e);
            return null;
        }
    }

    /** A leaf's order check, for a thread that holds something ({@link LeafEntry}). */
    static void checkLeafOrder(Object monitor, int site, ThreadState t) {
        if (monitor == null) return; // monitorenter throws the NPE itself
        try {
            t.acquiringLeaf(graph, monitor, null, site, 0, stackDepth);
        } catch (Throwable e) {
            TrackingFailures.record("monitorEnter", e);
        }
    }

    /**
     * A leaf block inside a nest: a section of the same method whose body takes nothing but leaves, and which
     * is not pushed either (it enters through {@link #leafEntry} or {@link #leafLock}). Its lock
     * ({@code outer}, taken at {@code outerSite}) is checked with this one as if it were on the held stack:
     * the nested pair is one memo probe when nothing else is held.
     */
    public static Object leafMonitorEnterUnder(Object monitor, Object outer, int site, int outerSite, Object state) {
        if (monitor == null) return state; // monitorenter throws the NPE itself
        try {
            ThreadState t = state(state);
            if (t != null && !t.nothingToCheck(outer) && !t.busy) {
                t.acquiringLeaf(graph, monitor, outer, site, outerSite, stackDepth);
            }
            return t;
        } catch (Throwable e) {
            TrackingFailures.record("monitorEnter", e);
            return state;
        }
    }

    public static void monitorExit(Object monitor) {
        monitorExit(monitor, null);
    }

    public static void monitorExit(Object monitor, Object state) {
        if (monitor == null) return;
        try {
            ThreadState t = state(state);
            if (t != null) t.releasing(monitor);
        } catch (Throwable e) {
            TrackingFailures.record("monitorExit", e);
        }
    }

    // ---- thread start and join: happens-before for the lock-order graph ----

    /** Called at the start of {@code Thread.start()} by the thread that starts {@code child}. */
    public static void threadStarting(Thread child) {
        if (!enabled || child == null) return;
        ThreadState t = null;
        try {
            t = state(null);
            if (t == null || t.busy) return;
            t.busy = true;
            t.segment(SegmentGraph.starting(t.segment(), child.getId()));
            t.busy = false;
        } catch (Throwable e) {
            if (t != null) t.busy = false;
            TrackingFailures.record("threadStarting", e);
        }
    }

    /** Called when a {@code Thread.join} returns: if the thread has ended, what it did happened before. */
    public static void threadJoined(Thread joined) {
        if (!enabled || joined == null || joined.isAlive()) return;
        ThreadState t = null;
        try {
            t = state(null);
            if (t == null || t.busy) return;
            t.busy = true;
            t.segment(SegmentGraph.joined(t.segment(), joined.getId()));
            t.busy = false;
        } catch (Throwable e) {
            if (t != null) t.busy = false;
            TrackingFailures.record("threadJoined", e);
        }
    }

    /** Called by a thread as it ends ({@code Thread.exit}). */
    public static void threadExiting() {
        if (!enabled) return;
        try {
            ThreadState t = STATE.get();
            int slot = slotOf(Thread.currentThread());
            if (STATE_BY_ID[slot] == t) STATE_BY_ID[slot] = null;
            if (t.busy) return;
            t.busy = true;
            // Its last segment, for whoever joins it: again, in case a newer thread has taken its slot since.
            t.segment(t.segment());
            t.busy = false;
        } catch (Throwable e) {
            TrackingFailures.record("threadExiting", e);
        }
    }

    // ---- java.util.concurrent.locks.Lock call sites ----

    // A contended acquisition (t != null: tracking is on for this thread) is timed as a JFR event of ours.
    // These wrappers are shared by every call site in the JVM, so a plain lock.lock() here would see every
    // Lock class the JDK and the application use and compile to a virtual call; the exact-class test keeps
    // the common ReentrantLock inlined, as it is at an untracked call site.

    public static void lock(Lock lock, int site) {
        lock(lock, site, null);
    }

    /** @return the thread's state, for the instrumented method to pass to its next lock sites */
    public static Object lock(Lock lock, int site, Object state) {
        if (lock != null && lock.getClass() == ReentrantLock.class) return lock((ReentrantLock) lock, site, state);
        ThreadState t = beforeBlocking(lock, site, state);
        if (t != null && Contention.mayBlock(lock)) {
            lockTimed(lock, site);
        } else {
            lock.lock();
        }
        if (t != null) afterAcquired(t, lock, site);
        return t != null ? t : state;
    }

    public static void lock(ReentrantLock lock, int site) {
        lock(lock, site, null);
    }

    /**
     * {@code ReentrantLock.lock()}, the most common case, kept short so that the JIT inlines it into the
     * caller: the lock is its own identity, always exclusive, and the held stack is scanned once. The
     * bookkeeping is done before the lock is taken (as for a monitor), so none of it lengthens the critical
     * section; should {@code lock()} throw, it is undone.
     *
     * @return the thread's state, for the instrumented method to pass to its next lock sites
     */
    public static Object lock(ReentrantLock lock, int site, Object state) {
        ThreadState t = lock == null ? null : state(state);
        if (t == null || t.busy) {
            lock.lock();
            return t;
        }
        take(lock, site, t, beforeLock(t, lock, site));
        return t;
    }

    /**
     * {@code lock()} opening a leaf critical section (see {@link #leafEntry}): the order check
     * without the push, for a {@code ReentrantLock}; any other lock takes the ordinary path, which is
     * always right, only slower.
     */
    public static Object leafLock(Lock lock, int site, Object state) {
        return leafLockUnder(lock, null, site, 0, state);
    }

    /**
     * A method of its own, not a flag of {@link #lock}: compiled without the push, it is small enough to
     * inline. Only for {@code ReentrantLock} itself: a subclass's {@code lock()} or {@code unlock()} could
     * take other locks while it holds this one, which the bytecode of the section does not show.
     */
    public static Object leafLock(ReentrantLock lock, int site, Object state) {
        return leafLockUnder(lock, null, site, 0, state);
    }

    /**
     * {@code lock()} opening a leaf section inside a nest (see {@link #leafMonitorEnterUnder}); with a null
     * {@code outer}, outside any nest ({@link #leafLock}, where the JIT folds the constant).
     */
    public static Object leafLockUnder(Lock lock, Object outer, int site, int outerSite, Object state) {
        if (lock != null && lock.getClass() == ReentrantLock.class) return leafLockUnder((ReentrantLock) lock, outer, site, outerSite, state);
        return lockUnder(lock, outer, site, outerSite, state);
    }

    public static Object leafLockUnder(ReentrantLock lock, Object outer, int site, int outerSite, Object state) {
        if (lock != null && lock.getClass() != ReentrantLock.class) return lockUnder(lock, outer, site, outerSite, state);
        ThreadState t = lock == null ? null : state(state);
        if (t == null || t.busy) {
            lock.lock();
            return t;
        }
        // A thread cannot end holding a leaf: no registration with the thread registry.
        boolean firstHold = t.nothingToCheck(outer) || acquiringLeaf(t, lock, outer, site, outerSite);
        take(lock, site, t, firstHold);
        return t;
    }

    /** The leaf's order check and re-entry count, when something is held: @return whether it was not held yet */
    private static boolean acquiringLeaf(ThreadState t, ReentrantLock lock, Object outer, int site, int outerSite) {
        try {
            return t.acquiringLeaf(graph, lock, outer, site, outerSite, stackDepth);
        } catch (Throwable e) {
            TrackingFailures.record("lock", e);
            return false;
        }
    }

    /**
     * A lock in a leaf section that is no leaf at run time (not a {@code ReentrantLock} itself): the ordinary
     * path, inside a nest with the nest's lock put on the held stack first, and left there. Such a lock's own {@code lock()} or
     * {@code unlock()} may take other locks while the nest's lock is held, so the nest's lock stays on the
     * stack until its own release, which takes it off (the nest's release calls are kept for this).
     */
    @DontInline // rare (a subclass of ReentrantLock, or another Lock, inside a nest): kept out of leafLockUnder's code
    private static Object lockUnder(Lock lock, Object outer, int site, int outerSite, Object state) {
        ThreadState t = lock == null ? null : state(state);
        try {
            if (t != null && !t.busy) t.holdForCheck(outer, outerSite);
        } catch (Throwable e) {
            TrackingFailures.record("lock", e);
        }
        return lock(lock, site, t != null ? t : state);
    }

    /**
     * Takes the lock, timed if it may block and a recording wants the event; should {@code lock()} throw,
     * the push (or count) made for it is undone.
     */
    private static void take(ReentrantLock lock, int site, ThreadState t, boolean firstHold) {
        // Timed only when a recording wants the event: otherwise the lock's state is not even read.
        boolean timed = firstHold && Contention.mayBlock(lock);
        try {
            if (timed) {
                lockTimed(lock, site);
            } else {
                lock.lock();
            }
        } catch (Throwable e) { // the application's own exception from lock(): undo our push, pass it on
            afterUnlock(lock, t);
            throw e;
        }
    }

    /** The order check, then the push (or one more count): @return whether the thread did not hold it yet */
    private static boolean beforeLock(ThreadState t, ReentrantLock lock, int site) {
        try {
            if (!t.acquiring(graph, lock, lock, Occurrence.EXCLUSIVE, site, false, stackDepth)) return false;
            registerOnce(t);
            return true;
        } catch (Throwable e) {
            TrackingFailures.record("lock", e);
            return false;
        }
    }

    /** A contended acquisition that a recording wants timed (the caller asked {@link Contention#mayBlock}). */
    @DontInline // rare (a recording on, the lock taken by another thread), and the event's code is large
    private static void lockTimed(Lock lock, int site) {
        ContendedLockEvent wait = Contention.beginLock(lock);
        lock.lock();
        Contention.endLock(wait, lock, site);
    }

    public static void unlock(ReentrantLock lock) {
        unlock(lock, null);
    }

    /** {@code ReentrantLock.unlock()}: unlocks first, then forgets the lock. */
    public static void unlock(ReentrantLock lock, Object state) {
        lock.unlock(); // throws IllegalMonitorStateException unchanged when the thread does not hold it
        afterUnlock(lock, state);
    }

    private static void afterUnlock(Object lock, Object state) {
        try {
            ThreadState t = state(state);
            if (t != null) t.releasing(lock);
        } catch (Throwable e) {
            TrackingFailures.record("unlock", e);
        }
    }

    public static void lockInterruptibly(Lock lock, int site) throws InterruptedException {
        ThreadState t = beforeBlocking(lock, site, null);
        if (t != null && Contention.mayBlock(lock)) {
            ContendedLockEvent wait = Contention.beginLock(lock);
            try {
                lock.lockInterruptibly();
            } finally {
                Contention.endLock(wait, lock, site);
            }
        } else {
            lock.lockInterruptibly();
        }
        if (t != null) afterAcquired(t, lock, site);
    }

    public static boolean tryLock(Lock lock, int site) {
        boolean locked = lock.getClass() == ReentrantLock.class ? ((ReentrantLock) lock).tryLock() : lock.tryLock();
        if (locked) afterNonBlocking(lock, site);
        return locked;
    }

    public static boolean tryLock(Lock lock, long time, TimeUnit unit, int site) throws InterruptedException {
        boolean locked;
        if (enabled && time > 0 && Contention.mayBlock(lock)) {
            ContendedLockEvent wait = Contention.beginLock(lock);
            try {
                locked = lock.tryLock(time, unit);
            } finally {
                Contention.endLock(wait, lock, site);
            }
        } else {
            locked = lock.tryLock(time, unit);
        }
        if (locked) afterNonBlocking(lock, site);
        return locked;
    }

    public static void unlock(Lock lock) {
        unlock(lock, null);
    }

    /** Unlocks first, then forgets the lock: the bookkeeping stays out of the critical section. */
    public static void unlock(Lock lock, Object state) {
        if (lock != null && lock.getClass() == ReentrantLock.class) {
            unlock((ReentrantLock) lock, state);
            return;
        }
        lock.unlock(); // throws IllegalMonitorStateException unchanged when the thread does not hold it
        afterUnlock(lock, state);
    }

    /** Before a blocking acquisition: the order check (like a monitor, before it can block). */
    private static ThreadState beforeBlocking(Lock lock, int site, Object state) {
        if (lock == null) return null;
        try {
            ThreadState t = state(state);
            if (t == null || t.busy) return null;
            Object stamped = LockKinds.isStampedLockView(lock) ? LockKinds.identity(lock) : null;
            if (stamped instanceof StampedLock) {
                // Held already, through a view or by a stamp, it waits for itself: a view is no reentrant lock either.
                byte mode = LockKinds.mode(lock);
                if (!heldAlready(t, (StampedLock) stamped, mode)) t.checkOrder(graph, lock, stamped, mode, site, false, stackDepth);
            } else if (t.indexOf(lock) < 0) {
                Object identity = LockKinds.identity(lock);
                if (!(lock instanceof ReentrantReadWriteLock.WriteLock && upgrades(t, identity))) {
                    t.checkOrder(graph, lock, identity, LockKinds.mode(lock), site, false, stackDepth);
                }
            }
            return t;
        } catch (Throwable e) {
            TrackingFailures.record("lock", e);
            return null;
        }
    }

    /**
     * A thread that holds a {@code ReentrantReadWriteLock}'s read lock asks for its write lock: the write lock waits
     * until no thread reads, this one included, and a read lock is never upgraded, so it waits for itself, forever.
     * Reported as such (the JVM sees no owner of a read lock, so neither its deadlock search nor a thread dump names
     * one). Asked only when the thread does not hold the write lock already (a write lock is reentrant). The lock
     * itself confirms the read hold first: one given up in code that lockwatch leaves alone (an excluded class) is
     * still on the stack, and is forgotten instead.
     *
     * @return whether the thread holds the read lock
     */
    private static boolean upgrades(ThreadState t, Object readWriteSync) {
        if (!t.holdsShared(readWriteSync)) return false;
        boolean wasBusy = t.busy;
        t.busy = true; // the reflective call below may take the JDK's locks
        try {
            if (LockKinds.readHoldCount(readWriteSync) == 0) {
                t.forgetShared(readWriteSync);
                return false;
            }
        } finally {
            t.endBusy(wasBusy);
        }
        ThreadCalls.waitingForItself(readWriteSync, false, true);
        return true;
    }

    /**
     * The lock is taken: one push (or one re-entry count). Worked out again rather than handed over from
     * {@link #beforeBlocking}: a short scan is cheaper than the GC barriers of storing references.
     */
    private static void afterAcquired(ThreadState t, Lock lock, int site) {
        try {
            if (t.reentered(lock)) return;
            Object identity = LockKinds.identity(lock);
            t.push(lock, identity, LockKinds.mode(lock), site, null);
            markIfAView(t, lock, identity);
            registerOnce(t);
        } catch (Throwable e) {
            TrackingFailures.record("lock", e);
        }
    }

    /**
     * A thread that takes a java.util.concurrent lock is watched for ending with it held (hang detection).
     * After the first time, the test of {@code registered} is all this costs.
     */
    private static void registerOnce(ThreadState t) {
        if (t.registered) return;
        boolean wasBusy = t.busy;
        t.busy = true;
        try {
            ThreadRegistry.register(t);
        } finally {
            t.endBusy(wasBusy);
        }
    }

    /** A successful {@code tryLock}: an edge that cannot block, recorded as such. */
    private static void afterNonBlocking(Lock lock, int site) {
        try {
            ThreadState t = state(null);
            if (t == null || t.busy) return;
            Object identity = LockKinds.identity(lock);
            if (t.acquiring(graph, lock, identity, LockKinds.mode(lock), site, true, stackDepth)) {
                markIfAView(t, lock, identity);
                registerOnce(t);
            }
        } catch (Throwable e) {
            TrackingFailures.record("tryLock", e);
        }
    }

    /**
     * A {@code StampedLock}'s view just pushed ({@code asWriteLock()}, {@code asReadLock()}) has no stamp, and any
     * thread may unlock it: marked as a StampedLock hold, so that the order check forgets it once another thread
     * has unlocked it, as it does a stamp's. Left on the stack, it was an edge to every lock its thread took after.
     */
    private static void markIfAView(ThreadState t, Lock lock, Object identity) {
        if (identity instanceof StampedLock) t.stampTop(lock, 0);
    }

    // ---- java.util.concurrent.locks.StampedLock call sites ----

    // A StampedLock is one lock in the graph, its read and write modes told apart as a read/write lock's are. It is
    // not reentrant: a thread that asks for its write lock while holding it in either mode, or for its read lock
    // while holding its write lock, waits for itself for ever. That is reported the moment the call is made
    // (ThreadCalls.waitingForItself), and the call then waits, as it would. Its views (asReadLock, asWriteLock) are
    // Locks, tracked on the Lock path as the same lock (LockKinds). The stamps are the application's: passed on
    // unchanged, never looked into but to tell a conversion's modes (StampedLock's own static tests).

    public static long writeLock(StampedLock lock, int site) {
        ThreadState t = beforeStamped(lock, Occurrence.EXCLUSIVE, site);
        ContendedLockEvent wait = t != null ? Contention.beginStamped(lock, true) : null;
        long stamp;
        try {
            stamp = lock.writeLock();
        } finally {
            Contention.endStamped(wait, lock, true, site);
        }
        afterStamped(t, lock, stamp, Occurrence.EXCLUSIVE, site, false);
        return stamp;
    }

    public static long readLock(StampedLock lock, int site) {
        ThreadState t = beforeStamped(lock, Occurrence.SHARED, site);
        ContendedLockEvent wait = t != null ? Contention.beginStamped(lock, false) : null;
        long stamp;
        try {
            stamp = lock.readLock();
        } finally {
            Contention.endStamped(wait, lock, false, site);
        }
        afterStamped(t, lock, stamp, Occurrence.SHARED, site, false);
        return stamp;
    }

    public static long writeLockInterruptibly(StampedLock lock, int site) throws InterruptedException {
        ThreadState t = beforeStamped(lock, Occurrence.EXCLUSIVE, site);
        ContendedLockEvent wait = t != null ? Contention.beginStamped(lock, true) : null;
        long stamp;
        try {
            stamp = lock.writeLockInterruptibly();
        } finally {
            Contention.endStamped(wait, lock, true, site);
        }
        afterStamped(t, lock, stamp, Occurrence.EXCLUSIVE, site, false);
        return stamp;
    }

    public static long readLockInterruptibly(StampedLock lock, int site) throws InterruptedException {
        ThreadState t = beforeStamped(lock, Occurrence.SHARED, site);
        ContendedLockEvent wait = t != null ? Contention.beginStamped(lock, false) : null;
        long stamp;
        try {
            stamp = lock.readLockInterruptibly();
        } finally {
            Contention.endStamped(wait, lock, false, site);
        }
        afterStamped(t, lock, stamp, Occurrence.SHARED, site, false);
        return stamp;
    }

    public static long tryWriteLock(StampedLock lock, int site) {
        long stamp = lock.tryWriteLock();
        if (stamp != 0) afterStamped(state(null), lock, stamp, Occurrence.EXCLUSIVE, site, true);
        return stamp;
    }

    public static long tryReadLock(StampedLock lock, int site) {
        long stamp = lock.tryReadLock();
        if (stamp != 0) afterStamped(state(null), lock, stamp, Occurrence.SHARED, site, true);
        return stamp;
    }

    public static long tryWriteLock(StampedLock lock, long time, TimeUnit unit, int site) throws InterruptedException {
        long stamp = lock.tryWriteLock(time, unit);
        if (stamp != 0) afterStamped(state(null), lock, stamp, Occurrence.EXCLUSIVE, site, true);
        return stamp;
    }

    public static long tryReadLock(StampedLock lock, long time, TimeUnit unit, int site) throws InterruptedException {
        long stamp = lock.tryReadLock(time, unit);
        if (stamp != 0) afterStamped(state(null), lock, stamp, Occurrence.SHARED, site, true);
        return stamp;
    }

    public static void unlockWrite(StampedLock lock, long stamp) {
        lock.unlockWrite(stamp); // throws IllegalMonitorStateException unchanged on a stamp that does not match
        afterUnlock(lock, null);
    }

    public static void unlockRead(StampedLock lock, long stamp) {
        lock.unlockRead(stamp);
        afterUnlock(lock, null);
    }

    public static void unlock(StampedLock lock, long stamp) {
        lock.unlock(stamp);
        afterUnlock(lock, null);
    }

    /** Releases the write lock whoever holds it: forgotten if this thread is the one. */
    public static boolean tryUnlockWrite(StampedLock lock) {
        boolean released = lock.tryUnlockWrite();
        if (released) afterUnlock(lock, null);
        return released;
    }

    public static boolean tryUnlockRead(StampedLock lock) {
        boolean released = lock.tryUnlockRead();
        if (released) afterUnlock(lock, null);
        return released;
    }

    /** A read stamp upgraded, or an optimistic one made a write lock: never blocks, so an edge that cannot block. */
    public static long tryConvertToWriteLock(StampedLock lock, long stamp, int site) {
        long converted = lock.tryConvertToWriteLock(stamp);
        if (converted != 0 && !StampedLock.isWriteLockStamp(stamp)) {
            if (StampedLock.isReadLockStamp(stamp)) afterUnlock(lock, null);
            afterStamped(state(null), lock, converted, Occurrence.EXCLUSIVE, site, true);
        }
        return converted;
    }

    /** A write stamp downgraded, or an optimistic one made a read lock. */
    public static long tryConvertToReadLock(StampedLock lock, long stamp, int site) {
        long converted = lock.tryConvertToReadLock(stamp);
        if (converted != 0 && !StampedLock.isReadLockStamp(stamp)) {
            if (StampedLock.isWriteLockStamp(stamp)) afterUnlock(lock, null);
            afterStamped(state(null), lock, converted, Occurrence.SHARED, site, true);
        }
        return converted;
    }

    /** A read or write stamp given up for an optimistic one: the lock is released. */
    public static long tryConvertToOptimisticRead(StampedLock lock, long stamp) {
        long converted = lock.tryConvertToOptimisticRead(stamp);
        if (converted != 0 && (StampedLock.isReadLockStamp(stamp) || StampedLock.isWriteLockStamp(stamp))) {
            afterUnlock(lock, null);
        }
        return converted;
    }

    /**
     * Before a blocking acquisition: the order check, as for any lock; or, when the thread holds this lock already
     * and the call can only wait for itself, the report of that. A hold on the stack that another thread has
     * unlocked since, with the stamp this one handed it, is forgotten first (see {@link StampedHolds}).
     */
    private static ThreadState beforeStamped(StampedLock lock, byte mode, int site) {
        if (lock == null) return null;
        try {
            ThreadState t = state(null);
            if (t == null || t.busy) return null;
            if (!heldAlready(t, lock, mode)) t.checkOrder(graph, lock, lock, mode, site, false, stackDepth);
            return t;
        } catch (Throwable e) {
            TrackingFailures.record("lock", e);
            return null;
        }
    }

    /**
     * Does the thread hold this {@code StampedLock} already, by a stamp or through a view, in a hold still in place?
     * Then a call that can only wait for itself is reported: a StampedLock is not reentrant, and a view is the same
     * lock as the stamps' (a write lock asked for through the view while holding it by a stamp waits just the same).
     */
    private static boolean heldAlready(ThreadState t, StampedLock lock, byte mode) {
        int held = t.indexOfStillHeld(lock);
        if (held < 0) return false;
        boolean heldWrite = t.modeAt(held) == Occurrence.EXCLUSIVE;
        // A read lock asked for under a read lock is one more hold (a writer queued between can make it
        // wait, for a writer that waits for this thread: not reported, as it may well not wait).
        if (heldWrite || mode == Occurrence.EXCLUSIVE) {
            ThreadCalls.waitingForItself(lock, heldWrite, mode == Occurrence.EXCLUSIVE);
        }
        return true;
    }

    /** The lock is taken: one push with its stamp, or one more hold of a read lock held already. */
    private static void afterStamped(ThreadState t, StampedLock lock, long stamp, byte mode, int site, boolean nonBlocking) {
        if (t == null || t.busy) return;
        try {
            // A try-lock or a conversion may find a hold unlocked elsewhere (a blocking call's beforeStamped did this).
            if (nonBlocking) t.indexOfStillHeld(lock);
            if (nonBlocking ? t.acquiring(graph, lock, lock, mode, site, true, stackDepth) : !t.reentered(lock)) {
                if (!nonBlocking) t.push(lock, lock, mode, site, null);
                t.stampTop(lock, stamp);
                registerOnce(t);
            }
        } catch (Throwable e) {
            TrackingFailures.record("lock", e);
        }
    }
}
