package io.lockwatch.runtime.track;

import io.lockwatch.runtime.graph.Occurrence;
import io.lockwatch.runtime.util.JdkFields;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.AbstractOwnableSynchronizer;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;

/**
 * The threads the hang detector watches through lockwatch's own bookkeeping rather than the JVM's:
 * <ul>
 *   <li>those that have taken a {@code java.util.concurrent} lock, so that it can notice one that ends while
 *       still holding such a lock: nobody can ever unlock it again, and every thread that later wants it
 *       hangs. (A monitor cannot outlive its owner this way: the JVM releases it when the
 *       {@code synchronized} block or method unwinds.)</li>
 *   <li>on JDK 21 and later, every thread from its first lock: the JVM's thread snapshots do not show virtual
 *       threads, so the detector follows the held-lock stacks for hangs with virtual threads in them
 *       ({@link #sweep}).</li>
 * </ul>
 *
 * <p>A thread registers itself once, with the first of those: one lock-free queue offer per thread, on a path
 * that is slow already (the thread's first state lookup, its first {@code Lock}). The
 * registry holds the thread weakly; its held-lock stack too until it takes a {@code java.util.concurrent}
 * lock, and strongly from then on, so that its locks can still be read once it has ended. So a service that
 * starts a thread per task leaves a small entry per thread until the detector's next check, not the thread's
 * whole state. The detector drops each entry as soon as the thread has ended; a thread that finds the registry
 * full drops one of an ended thread itself ({@link #forgetAnEndedThread}). At most {@link #MAX_THREADS} threads
 * are watched at once; more are counted in {@link #dropped}.
 */
public final class ThreadRegistry {
    public static final int MAX_THREADS = 1 << 16;
    /** How many of the oldest entries a thread that finds the registry full looks at for one to forget. */
    private static final int ROOM_SEARCH = 8;

    private static final ConcurrentLinkedQueue<Entry> ENTRIES = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger SIZE = new AtomicInteger();
    private static final AtomicLong DROPPED = new AtomicLong();

    private ThreadRegistry() {}

    /** One watched thread's state: weakly held, and also strongly once the thread takes a java.util.concurrent lock. */
    static final class Entry extends WeakReference<ThreadState> {
        private static final AtomicIntegerFieldUpdater<Entry> FORGOTTEN =
                AtomicIntegerFieldUpdater.newUpdater(Entry.class, "forgotten");

        volatile ThreadState kept;
        /** 1 once the thread has ended and the entry is counted out of {@link #SIZE}, by whoever got there first. */
        private volatile int forgotten;

        Entry(ThreadState state) {
            super(state);
        }

        ThreadState state() {
            ThreadState s = kept;
            return s != null ? s : get();
        }

        /** @return true for the one caller that counts this entry out (the detector, or a thread making room) */
        boolean forget() {
            return FORGOTTEN.compareAndSet(this, 0, 1);
        }

        boolean isForgotten() {
            return forgotten != 0;
        }


    }

    /** Called on the application thread, with its first java.util.concurrent lock: its state is kept past its end. */
    static void register(ThreadState state) {
        state.registered = true;
        Entry entry = state.watched ? state.entry : watch(state); // null: over the cap, counted once
        if (entry != null) entry.kept = state;
    }

    /**
     * {@code java.lang.VirtualThread}, or null before JDK 21 (then no thread is watched for hangs: see below). Loaded,
     * not initialized: its initializer makes the virtual threads' scheduler (a {@code ForkJoinPool} and a few lambdas,
     * ~7 ms of a JDK 25 start-up), which a service that starts no virtual thread never needs.
     */
    private static final Class<?> VIRTUAL_THREAD = JdkFields.jdkClass("java.lang.VirtualThread");

    /**
     * Called on the application thread when its state is looked up the slow way (its first lock, and when
     * another thread had taken its slot of the lookup cache). On JDK 21 and later every thread is watched from
     * its first lock: the JVM's snapshots show neither what a virtual thread holds or waits for nor which
     * thread a platform thread blocked on a virtual one waits for, so hangs with virtual threads in them are
     * found from these stacks. Before JDK 21 the JVM's snapshots see every thread, and nothing would read them.
     */
    static void watchFromFirstLock(ThreadState state) {
        if (state.watched || VIRTUAL_THREAD == null) return;
        boolean wasBusy = state.busy;
        state.busy = true; // a JDK class this loads must not come back into the tracker on this thread
        try {
            watch(state);
        } finally {
            state.endBusy(wasBusy);
        }
    }

    /** {@code Thread.isVirtual()}, which JDK 17 does not have (a virtual thread's class is {@code java.lang.VirtualThread}). */
    public static boolean isVirtual(Thread thread) {
        return VIRTUAL_THREAD != null && thread.getClass() == VIRTUAL_THREAD;
    }

    /** {@code java.lang.VirtualThread} (loaded, not initialized), or null before JDK 21. */
    public static Class<?> virtualThreadClass() {
        return VIRTUAL_THREAD;
    }

    private static Entry watch(ThreadState state) {
        state.watched = true;
        if (SIZE.incrementAndGet() > MAX_THREADS && !forgetAnEndedThread()) {
            SIZE.decrementAndGet();
            DROPPED.incrementAndGet();
            return null;
        }
        state.threadName = Thread.currentThread().getName();
        Entry entry = new Entry(state);
        state.entry = entry;
        ENTRIES.offer(entry);
        return entry;
    }

    /**
     * Makes room for one more, on the thread that found the registry full: among the oldest few entries, forgets
     * one whose thread has ended with nothing left to report (it took no {@code java.util.concurrent} lock, so no
     * lock of it can be left held); the others go back to the end of the queue. Bounded work, lock-free, and
     * only ever over the cap. Without it, short-lived virtual threads started faster than the detector's checks
     * forget them (about 26,000 a second at the default threshold) filled the registry with ended threads, and
     * every thread started until the next check stayed unwatched for good.
     */
    private static boolean forgetAnEndedThread() {
        for (int i = 0; i < ROOM_SEARCH; i++) {
            Entry entry = ENTRIES.poll();
            if (entry == null) return false;
            if (entry.isForgotten()) continue; // counted out by the detector's sweep already
            // The thread's end happens-before isAlive() = false, so its last write to kept is seen here.
            if (liveThread(entry.state()) == null && entry.kept == null && entry.forget()) {
                SIZE.decrementAndGet();
                return true;
            }
            ENTRIES.offer(entry);
        }
        return false;
    }

    /** Threads that could not be watched (over the cap). */
    public static long dropped() {
        return DROPPED.get();
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
        /** The StampedLock held (by its stamp or through a view), else null. */
        private final StampedLock stamped;
        private final long stamp;
        /** When the sweep found the thread ended ({@link System#nanoTime}). */
        public final long endSeenNanos = System.nanoTime();

        HeldByDeadThread(String threadName, long threadId, Object lock, Object synchronizer, boolean read, int site,
                         StampedLock stamped, long stamp) {
            this.threadName = threadName;
            this.threadId = threadId;
            this.lock = lock;
            this.synchronizer = synchronizer;
            this.read = read;
            this.site = site;
            this.stamped = stamped;
            this.stamp = stamp;
        }

        /**
         * A StampedLock's hold outlives its thread when the thread handed the stamp on: another thread may unlock it
         * yet. The other locks can be unlocked by their owner alone.
         */
        public boolean mayBeUnlockedByOthers() {
            return stamped != null;
        }

        /** Whether the hold is still in place: always, but for a StampedLock that was unlocked with its stamp since. */
        public boolean stillHeld() {
            return stamped == null || StampedHolds.inPlace(stamped, !read, stamp);
        }
    }

    /** What one pass over the watched threads found, for the detector. */
    public static final class Sweep {
        /** The {@code ReentrantLock}s and read/write locks that threads which have ended still held. */
        public final List<HeldByDeadThread> heldByEnded = new ArrayList<>(0);
        /**
         * The held-lock stacks of the live threads that are blocked, waiting or timed-waiting right now and hold
         * (or are about to hold) something, and empty ones of those that hold nothing and wait for a lock or for
         * another thread ({@link #parkedHoldingNothing}).
         */
        public final List<LockStack> waiting = new ArrayList<>(0);
        /**
         * The held-lock stacks of the live threads that run ({@code RUNNABLE}; for a virtual thread, on a carrier or
         * ready for one) holding something, where virtual threads exist: the holders of a long hold that the JVM's
         * snapshots cannot see, by a virtual thread, or of a lock that only virtual threads wait for.
         */
        public final List<LockStack> running = new ArrayList<>(0);
    }

    /**
     * For the detector only, once per check: forgets the threads that have ended, collecting the locks they
     * still held, and copies the stacks of the live ones that wait, or run, holding something. One
     * pass, since the cost of a pass is its cache misses (an entry, its state, its thread) over up to
     * {@link #MAX_THREADS} entries; a thread is asked for its state only when its stack is not empty.
     */
    public static Sweep sweep() {
        Sweep out = new Sweep();
        Set<ThreadState> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Iterator<Entry> it = ENTRIES.iterator(); it.hasNext(); ) {
            Entry entry = it.next();
            if (entry.isForgotten()) { // by a thread that made room
                it.remove();
                continue;
            }
            ThreadState state = entry.state();
            Thread thread = liveThread(state);
            if (thread != null) {
                if (entry.kept != null) state.threadName = thread.getName(); // the name it will be reported under
                // racy: only a filter. Seen twice when a thread making room moved the entry to the end meanwhile.
                if (state.heldCount() > 0) {
                    if (seen.add(state)) addHolder(state, thread, out);
                } else {
                    LockStack parked = parkedHoldingNothing(state, thread);
                    if (parked != null && seen.add(state)) out.waiting.add(parked);
                }
                continue;
            }
            it.remove();
            if (!entry.forget()) continue; // a thread making room forgot it first (it took no j.u.c lock)
            SIZE.decrementAndGet();
            if (state == null || entry.kept == null) continue; // it took no java.util.concurrent lock
            // The thread has ended: its last writes to its state happen-before isAlive() returned false.
            for (int i = 0; i < state.heldCount(); i++) {
                Object lock = state.heldAt(i);
                Object identity = state.identityAt(i);
                boolean stamped = identity instanceof StampedLock;
                if (stamped ? state.stampedHoldGone(i) : !isJdkLock(lock) || !stillLocked(lock, state.threadName)) continue;
                out.heldByEnded.add(new HeldByDeadThread(state.threadName, state.threadId, lock,
                        LockKinds.synchronizer(lock, identity), state.modeAt(i) == Occurrence.SHARED, state.siteAt(i),
                        stamped ? (StampedLock) identity : null, state.stampAt(i)));
            }
        }
        return out;
    }

    /** The state's thread if it is alive; null if it has ended or been collected (or the state has). */
    private static Thread liveThread(ThreadState state) {
        Thread thread = state == null ? null : state.thread.get();
        return thread != null && thread.isAlive() ? thread : null;
    }

    /**
     * A thread that holds something: to {@code waiting} if it waits, to {@code running} if it runs and virtual
     * threads exist (without them, every waiter is in the JVM's snapshots, which find the long holds).
     */
    private static void addHolder(ThreadState state, Thread thread, Sweep out) {
        Thread.State now = thread.getState();
        boolean waiting = isWaiting(now);
        if (!waiting && (now != Thread.State.RUNNABLE || VIRTUAL_THREAD == null)) return;
        LockStack stack = state.lockStack(thread, now);
        if (stack == null) return;
        (waiting ? out.waiting : out.running).add(stack);
        // Its parks (its unmounts, for a running one) are counted only while the lookup cache holds its state, which
        // another thread may have taken.
        if (isVirtual(thread)) LockTracker.cache(state);
    }

    private static final Object[] NONE = new Object[0];
    private static final byte[] NO_MODES = new byte[0];
    private static final int[] NO_SITES = new int[0];

    /**
     * A thread that holds nothing and is parked, untimed, on what the hang detector follows, with an empty stack; else
     * null. That is a lock's synchronizer: a {@code ReentrantLock} is on the stack before {@code lock()} is called, but
     * any other {@code Lock} (a write lock, say) only once it is held, so such a thread goes to the detector this way,
     * as one that waits for that lock. And a wait for another thread that waits too ({@link #waits}): to end, on a
     * virtual thread's termination latch, for a thread that joined one ({@link ThreadState#joined}: every other latch
     * await is left out), or to finish a task, in {@code get()} of a {@code FutureTask}; or, not parked, a virtual
     * thread's join of a platform thread, in {@code Object.wait} on it (the detector checks its stack for the join).
     * Virtual threads that wait for each other that way hold nothing, and the JVM's snapshots do not show them. Two
     * field reads for a thread that is not parked ({@code getBlocker}, {@code joined}), and a class test or two for one
     * parked on anything else (a queue's condition).
     */
    private static LockStack parkedHoldingNothing(ThreadState state, Thread thread) {
        Object blocker = LockSupport.getBlocker(thread);
        boolean followed;
        if (blocker == null) {
            followed = joinsAPlatformThreadThatWaits(state, thread);
        } else if (blocker instanceof AbstractOwnableSynchronizer) {
            followed = SynchronizerKind.of(blocker) != SynchronizerKind.NONE
                    || blocker.getClass().getName().equals(LATCH_SYNC) && waits(state.joined);
        } else {
            followed = blocker instanceof FutureTask && waits(RunningTasks.runnerOf(blocker));
        }
        if (!followed) return null;
        Thread.State now = thread.getState();
        return now == Thread.State.WAITING
                ? new LockStack(thread, state, now, NONE, NONE, NO_MODES, NO_SITES, null)
                : null;
    }

    /** A virtual thread whose last join was of a platform thread that waits too (it may have returned since). */
    private static boolean joinsAPlatformThreadThatWaits(ThreadState state, Thread thread) {
        Thread joined = state.joined;
        return joined != null && !isVirtual(joined) && isVirtual(thread) && waits(joined);
    }

    /**
     * Whether {@code other} (the thread joined, or running the task waited for) waits too: only then can a wait for it
     * be part of a hang. Where tasks fork and join, or requests fan out to tasks, most threads wait for one that runs,
     * and a check took them all into its graph (1.16x wall and +166 MiB at peak for 200,000 virtual threads joining
     * short children; 1.07x for results: forty-sixth round).
     */
    private static boolean waits(Thread other) {
        return other != null && isWaiting(other.getState());
    }

    /** Blocked, waiting or timed-waiting. */
    public static boolean isWaiting(Thread.State state) {
        return state == Thread.State.BLOCKED || state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    /** What a thread waiting on a {@code CountDownLatch} parks on (a virtual thread's joiners too). */
    private static final String LATCH_SYNC = "java.util.concurrent.CountDownLatch$Sync";

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
