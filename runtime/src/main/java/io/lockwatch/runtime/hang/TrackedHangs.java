package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.hang.ThreadView.Tie;
import io.lockwatch.runtime.track.LockStack;
import io.lockwatch.runtime.track.RunningTasks;
import io.lockwatch.runtime.track.SynchronizerKind;
import io.lockwatch.runtime.track.ThreadRegistry;
import io.lockwatch.runtime.util.JdkFields;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.AbstractOwnableSynchronizer;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.StampedLock;
import java.util.function.LongPredicate;

/**
 * Hangs that the JVM's thread snapshots do not show: with virtual threads in them (the snapshots leave virtual
 * threads out, and a platform thread blocked on a monitor that a virtual thread owns shows no owner there), and
 * through locks whose holders the JVM does not name (a read/write lock's readers, a {@code StampedLock}).
 * lockwatch follows its own held-lock stacks instead ({@link ThreadRegistry#sweep}).
 *
 * <p>The wait-for graph, from the watched threads that wait while they hold something, and those that hold nothing
 * and wait for a lock, for a virtual thread they join, or for a task's result ({@link ThreadRegistry#sweep}):
 * <ul>
 *   <li>A thread {@code BLOCKED} waits for the monitor on top of its stack (monitors are pushed just before
 *       {@code monitorenter}). Its holders are the threads with that monitor further down their stacks.</li>
 *   <li>A thread {@code WAITING} with an {@code AbstractOwnableSynchronizer} as its park blocker waits for
 *       that synchronizer (a {@code ReentrantLock}'s, a read/write lock's). Its holder is the synchronizer's
 *       exclusive owner, as the JDK knows it; with none (a write lock wanted while others read) the threads
 *       with that synchronizer's lock on their stacks.</li>
 *   <li>A thread {@code WAITING} parked on a {@code StampedLock} waits for it; its holders are the threads with it
 *       on their stacks in a mode the request must wait for (checked against the lock's own state).</li>
 *   <li>A thread in {@code join()} of a virtual thread (parked on that thread's termination latch) waits for the
 *       joined thread, when that one is in the graph: it ends only once its own wait does. So does one in
 *       {@code get()} of a {@code FutureTask}, for the thread running the task.</li>
 *   <li>Any other wait (a latch, a condition, {@code Object.wait}, a sleep, a timed wait) has no holder: it
 *       is owner-less.</li>
 * </ul>
 * <b>Deadlock</b>: a cycle with a virtual thread in it, or with a wait for a lock whose holders the JVM does not
 * name, seen at two checks in a row (the stacks are read without any synchronization, so one check may see a
 * stack mid-change). Every wait of such a cycle is one its holder's mode blocks, so its waits cannot be anything
 * but waits for each other. Other cycles of platform threads alone are left to the JVM's search, which sees every
 * lock it names an owner of, instrumented or not.
 *
 * <p><b>Stall</b>: a thread in the same owner-less wait for longer than the threshold while another thread
 * waits for a lock it holds, when the waiter is a virtual thread or the JVM's snapshots show no platform
 * thread waiting for it. A platform waiter that they do show is theirs to report; the virtual threads that
 * wait for it too are handed to that report ({@link AlsoBlocked}).
 *
 * <p><b>Long hold</b>: a virtual thread running ({@code RUNNABLE}) at every check for longer than the threshold while
 * it owns a lock that others wait for, one of them that long ({@link #findLongHolds}). Platform holders are the JVM's
 * snapshots' to report; the virtual threads that wait for one are handed to that report ({@link AlsoBlocked}), as
 * they are the only waiters it may have.
 *
 * <p>What this cannot see: locks taken in code lockwatch does not instrument, and the lock of a section that
 * takes only leaf sections (neither goes on the stack), so a hang through one is missed, never invented.
 */
final class TrackedHangs {
    private static final String STAMPED_LOCK = StampedLock.class.getName();
    private final long thresholdNanos;
    /** Cycles seen at the last check, by key: one seen again now is a deadlock. */
    private Set<String> seenLastCheck = Collections.emptySet();
    /** The latest check's wait-for graph, which {@link #behind} walks. */
    private List<Waiter> waiters = Collections.emptyList();
    /** Since when each waiting thread has been in the wait it is in now. */
    private final Map<Long, Wait> waits = new HashMap<>();
    /**
     * The holds of locks that threads wait for by virtual owners seen running ({@code RUNNABLE}) at every check since
     * the hold began: only those waited for at the last check, so at most one per waiting thread.
     */
    private final LockHolds runningHolds = new LockHolds();
    /** The virtual threads a long hold whose holder waits for a carrier shows as what the carriers run, at most. */
    static final int MAX_CARRIERS_SHOWN = 16;
    /** The running virtual holders seen waiting for a carrier, at this check and the last. */
    private final CarrierWaits carrierWaits = new CarrierWaits();

    TrackedHangs(long thresholdNanos) {
        this.thresholdNanos = thresholdNanos;
    }

    /**
     * Since when the JVM's thread snapshots have seen a platform thread in the wait it is in now: they count its waits
     * and blocks, so a new wait of the same kind starts a new one ({@code HangDetector}'s episodes).
     */
    interface JvmWaits {
        /** The thread is in no snapshot of this check (a carrier, lockwatch's own, or no snapshot was taken). */
        long UNKNOWN = Long.MIN_VALUE;

        /** No snapshot this check: the stacks' own timing for every thread. */
        JvmWaits NONE = new JvmWaits() {
            @Override
            public long since(long threadId) {
                return UNKNOWN;
            }
        };

        /** @return the wait's start ({@link System#nanoTime}), or {@link #UNKNOWN} */
        long since(long threadId);
    }

    /**
     * One thread's wait, the same as long as its state and what it waits on are (and, for a platform thread, as long
     * as the JVM's snapshots say so: {@link JvmWaits}).
     */
    private static final class Wait {
        final Thread.State state;
        final Object on;
        /** A virtual thread's count of parks ({@link LockStack#parks}): another is another wait. */
        final int parks;
        final long since;
        boolean stallReported;

        Wait(Thread.State state, Object on, int parks, long since) {
            this.state = state;
            this.on = on;
            this.parks = parks;
            this.since = since;
        }
    }

    /** One thread of the graph: its stack, and what it waits on. */
    private static final class Waiter {
        final LockStack stack;
        /** The monitor or synchronizer it waits for, or for an owner-less wait its park blocker (or null). */
        final Object waitsOn;
        /** Whether {@link #waitsOn} is a lock (a monitor, a lock's synchronizer), which someone may hold. */
        final boolean lockWait;
        /** The top entry is what it waits for, not a lock it holds. */
        final boolean topIsWanted;
        /** The synchronizer's owner as the JDK knows it, or null. */
        final Thread owner;
        /** The waiting threads holding what it waits for. */
        final List<Waiter> next = new ArrayList<>(1);
        /** The inverse: the waiting threads that wait for what this one holds. */
        final List<Waiter> blocked = new ArrayList<>(0);
        /**
         * How it waits for its only {@link #next} when its wait is owner-less: a join of that thread, or a {@code get()}
         * of the task that thread runs (else {@code LOCK}: it waits for the holders of a lock).
         */
        Tie tie = Tie.LOCK;
        Wait wait;
        /**
         * A virtual thread joining the platform thread {@link #waitsOn}, in {@code Object.wait} on it (see
         * {@link TrackedHangs#isJoiningAPlatformThread}): it gave up that thread's monitor, and only that one.
         */
        final boolean joinsPlatformThread;

        Waiter(LockStack stack, Object waitsOn, boolean lockWait, boolean topIsWanted, Thread owner) {
            this(stack, waitsOn, lockWait, topIsWanted, owner, false);
        }

        private Waiter(LockStack stack, Object waitsOn, boolean lockWait, boolean topIsWanted, Thread owner,
                       boolean joinsPlatformThread) {
            this.stack = stack;
            this.waitsOn = waitsOn;
            this.lockWait = lockWait;
            this.topIsWanted = topIsWanted;
            this.owner = owner;
            this.joinsPlatformThread = joinsPlatformThread;
        }

        static Waiter ownerless(LockStack stack, Object blocker) {
            return new Waiter(stack, blocker, false, false, null);
        }

        /** A virtual thread in {@code Object.wait} in its join of a platform thread: it waits on that thread. */
        static Waiter joining(LockStack stack, Thread joined) {
            return new Waiter(stack, joined, false, false, null, true);
        }

        /** An edge of the graph, kept both ways: this waits for what {@code holder} holds. */
        void waitsFor(Waiter holder) {
            next.add(holder);
            holder.blocked.add(this);
        }

        int heldCount() {
            return topIsWanted ? stack.size() - 1 : stack.size();
        }

        /** Waits for a lock that one of the other waiters holds. */
        boolean waitsForALock() {
            return lockWait && !next.isEmpty();
        }

        /**
         * Holds this StampedLock in a mode that a request for it must wait for: its write lock, or its read lock
         * when the write lock is wanted. Checked against the lock itself, since a stamp may be handed to another
         * thread to unlock, and this stack would not know.
         */
        boolean blocksStamped(StampedLock lock, boolean wantsWrite) {
            for (int i = 0; i < heldCount(); i++) {
                if ((wantsWrite || !stack.isSharedAt(i)) && stack.holdsStampedAt(i, lock)) return true;
            }
            return false;
        }

        /** Holds the lock whose synchronizer is {@code synchronizer} as a reader. */
        boolean holdsShared(Object synchronizer) {
            for (int i = 0; i < heldCount(); i++) {
                if (stack.synchronizerAt(i) == synchronizer && stack.isSharedAt(i)) return true;
            }
            return false;
        }

        private Boolean inObjectWait;

        /**
         * In {@code Object.wait}, which gives up the monitor waited on while the stack still has it; which of
         * its monitors that is, nothing here tells (but for a join, {@link #joinsPlatformThread}), so none of them counts as held
         * (a hang through one is then missed, never invented). Looked at only for a thread some other thread seems
         * blocked on {@code monitor}.
         */
        boolean mayHaveReleasedInObjectWait(Object monitor) {
            if (joinsPlatformThread) return monitor == waitsOn;
            if (lockWait || waitsOn != null) return false; // blocked or parked on something: not in Object.wait
            if (inObjectWait == null) {
                boolean found = false;
                for (StackTraceElement frame : stack.thread.getStackTrace()) {
                    if (isObjectWait(frame)) {
                        found = true;
                        break;
                    }
                }
                inObjectWait = found;
            }
            return inObjectWait;
        }

        long waitedNanos(long now) {
            return now - wait.since;
        }
    }

    /** What a check found. */
    static final class Found {
        /** The deadlocks not reported yet, each by its key (its threads and the locks they wait on). */
        final Map<String, List<ThreadView>> deadlocks = new LinkedHashMap<>();
        /**
         * Those of them with a virtual thread in them: the JVM's snapshots cannot follow those for the threads that
         * come to wait behind them, so lockwatch's stacks do ({@link #behind}).
         */
        final Set<String> followedHere = new HashSet<>();
        /** How many threads are in deadlocks now (for {@code threadsDeadlockedNow}). */
        int deadlocked;
        /**
         * Their ids: the JVM's snapshots show a thread of such a cycle that waits for a lock with no named owner (or
         * joins a virtual thread, or gets the result of a task one runs) as an owner-less wait, whose stall this is not.
         */
        Set<Long> deadlockedThreads = Collections.emptySet();
        /** New stalls. */
        final List<StallFinding> stalls = new ArrayList<>();
        /** New long holds by virtual threads (the JVM's snapshots find those of platform threads). */
        final List<LongHoldFinding> longHolds = new ArrayList<>();
        /**
         * For {@code threadsStuckNow}, the stuck threads the JVM's snapshots do not count: virtual threads waiting
         * for a lock longer than the threshold, and the waiters of the stalls found here.
         */
        int stuck;
        /**
         * By platform thread id: the virtual threads waiting for a lock it holds, for the JVM snapshots' report of its
         * stall (when it waits) or of its long hold (when it runs).
         */
        final Map<Long, AlsoBlocked> alsoBlocked = new HashMap<>();
    }

    /**
     * The virtual threads that wait for a lock held by a platform thread, in an owner-less wait or running, which the
     * JVM's snapshots report as a stall or a long hold with the platform threads waiting for it only: they add these.
     */
    static final class AlsoBlocked {
        private final LockStack holder;
        /** How many entries of the holder's stack it holds (the top one of a waiter may be what it waits for). */
        private final int heldCount;
        private final List<Waiter> blocked;
        /** The locks they wait for, by name: made when first asked for (a long hold's search asks twice). */
        private Set<String> names;

        private AlsoBlocked(LockStack holder, int heldCount, List<Waiter> blocked) {
            this.holder = holder;
            this.heldCount = heldCount;
            this.blocked = blocked;
        }

        Set<String> lockNames() {
            if (names == null) {
                names = new LinkedHashSet<>();
                for (Waiter b : blocked) names.add(LockRef.of(b.waitsOn, null).name());
            }
            return names;
        }

        /**
         * Adds the blocked virtual threads, and those behind them, to {@code views}, and the holder's locks they want
         * to {@code locks}.
         */
        void addTo(List<ThreadView> views, List<LockRef> locks, Set<String> lockNames, long now, int stackDepth) {
            addBlockedAndBehind(holder, heldCount, blocked, views, locks, lockNames, now, stackDepth);
        }

        /** How long the one that has waited longest has waited. */
        long longestWaitNanos(long now) {
            long longest = 0;
            for (Waiter b : blocked) longest = Math.max(longest, b.waitedNanos(now));
            return longest;
        }
    }

    /**
     * One check.
     *
     * @param stacks the watched threads that wait while holding something, or for a lock or another thread
     *     ({@link ThreadRegistry#sweep})
     * @param running the watched threads that run holding something, for {@link #findLongHolds}
     * @param reported the keys of the deadlocks reported already: counted, not described again
     * @param jvmWaiters the platform threads that the JVM's snapshots show other platform threads waiting for:
     *     their stalls are those snapshots' to report
     * @param jvmWaits since when the JVM's snapshots have seen each platform thread in its wait
     */
    Found check(List<LockStack> stacks, List<LockStack> running, long now, int stackDepth, Set<String> reported,
                Set<Long> jvmWaiters, JvmWaits jvmWaits) {
        Found found = new Found();
        carrierWaits.startCheck();
        for (LockStack holder : running) {
            if (isVirtual(holder.thread)) carrierWaits.note(holder);
        }
        // Nobody waits holding anything. (On JDK 17 only threads that took a java.util.concurrent lock or a
        // StampedLock are watched at all.)
        if (stacks.isEmpty()) {
            seenLastCheck = Collections.emptySet();
            waiters = Collections.emptyList();
            waits.clear();
            runningHolds.update(Collections.emptyMap(), now, LockHolds.NOT_MEASURED);
            return found;
        }
        waiters = graphOf(stacks, now, jvmWaits);
        findDeadlocks(now, stackDepth, reported, found);
        findStalls(now, stackDepth, jvmWaiters, found);
        findLongHolds(running, now, stackDepth, found);
        return found;
    }

    /**
     * Long holds by virtual threads ({@link LongHoldFinding}): a virtual thread has owned a lock that others wait for,
     * and was running at every check since, for the threshold, and one of its waiters has waited that long. The JVM's
     * snapshots, which find a platform holder's, leave virtual threads out. Running, for a virtual thread, is
     * {@code RUNNABLE}: on a carrier, or ready and waiting for one (the carriers all busy or pinned), and either way
     * nothing behind it moves. The holder is the running thread with the lock on its stack
     * ({@link ThreadRegistry.Sweep#running}), and the owner the JDK names, if it names one. The virtual threads that
     * wait for a running platform thread go to the JVM snapshots' finding ({@link Found#alsoBlocked}).
     */
    private void findLongHolds(List<LockStack> running, long now, int stackDepth, Found found) {
        // What each running thread holds, as its waiters wait on it (a lock's synchronizer, a monitor).
        Map<Object, LockStack> runningHolder = new IdentityHashMap<>();
        for (LockStack holder : running) {
            for (int i = 0, held = heldByRunning(holder); i < held; i++) {
                Object on = holder.waitedOnAt(i);
                if (on != null) runningHolder.put(on, holder);
            }
        }
        Map<String, List<Waiter>> byLock = new LinkedHashMap<>();
        Map<String, Long> ownerByLock = new HashMap<>();
        Map<LockStack, List<Waiter>> virtualWaitersOfPlatform = new LinkedHashMap<>();
        for (Waiter w : waiters) {
            // A waiter whose holder waits too is a stall's or a deadlock's. An owner the JDK names must be the holder.
            if (!w.lockWait || w.waitsOn == null || !w.next.isEmpty()) continue;
            LockStack holder = runningHolder.get(w.waitsOn);
            if (holder == null || holder.thread == w.stack.thread || (w.owner != null && w.owner != holder.thread)) {
                continue;
            }
            boolean virtualWaiter = isVirtual(w.stack.thread);
            if (virtualWaiter && w.waitedNanos(now) >= thresholdNanos) found.stuck++; // as findStalls counts
            if (!isVirtual(holder.thread)) {
                // The JVM's snapshots see the platform waiters, measure the holder's CPU time, and tell a wait inside
                // the JVM (a class's initialization) from work.
                if (virtualWaiter) listIn(virtualWaitersOfPlatform, holder).add(w);
                continue;
            }
            String lock = LockRef.of(w.waitsOn, null).name();
            listIn(byLock, lock).add(w);
            ownerByLock.put(lock, holder.threadId);
        }
        // A hold whose owner this check did not see running starts again at the next that does.
        runningHolds.update(ownerByLock, now, LockHolds.NOT_MEASURED);
        Map<LockStack, List<String>> dueByHolder = new LinkedHashMap<>();
        for (Map.Entry<String, List<Waiter>> e : byLock.entrySet()) {
            LockHolds.Hold hold = runningHolds.of(e.getKey());
            boolean waitedLong = false;
            for (Waiter w : e.getValue()) waitedLong |= w.waitedNanos(now) >= thresholdNanos;
            if (hold.reported || now - hold.since < thresholdNanos || !waitedLong) continue;
            listIn(dueByHolder, runningHolder.get(e.getValue().get(0).waitsOn)).add(e.getKey());
        }
        for (Map.Entry<LockStack, List<String>> e : dueByHolder.entrySet()) {
            LongHoldFinding finding = longHold(e.getKey(), e.getValue(), byLock, now, stackDepth);
            if (finding == null) continue;
            found.longHolds.add(finding);
            for (String lock : e.getValue()) runningHolds.of(lock).reported = true; // one finding per holder and hold
        }
        for (Map.Entry<LockStack, List<Waiter>> e : virtualWaitersOfPlatform.entrySet()) {
            LockStack holder = e.getKey();
            found.alsoBlocked.put(holder.threadId, new AlsoBlocked(holder, holder.size(), e.getValue()));
        }
    }

    /**
     * How many entries of a running holder's stack it holds: all but a monitor on top that it was handed, after it was
     * blocked on it, and has not entered yet ({@link CarrierWaits#entersMonitor}). The monitor is free meanwhile: the
     * holder neither holds it nor keeps the threads still blocked on it out, beyond its turn before theirs.
     */
    private int heldByRunning(LockStack holder) {
        int size = holder.size();
        boolean handedTop = size > 0 && holder.isMonitorAt(size - 1) && carrierWaits.entersMonitor(holder.threadId);
        return handedTop ? size - 1 : size;
    }

    /** The long hold of {@code locks} (by name) by {@code holder}, with every thread behind it; null if it moved on. */
    private LongHoldFinding longHold(LockStack holder, List<String> locks, Map<String, List<Waiter>> byLock, long now,
                                     int stackDepth) {
        Thread owner = holder.thread;
        StackTraceElement[] frames = ThreadView.stackOf(owner, stackDepth);
        if (owner.getState() != Thread.State.RUNNABLE) return null; // it moved on meanwhile
        int heldCount = heldByRunning(holder);
        List<LockRef> held = new ArrayList<>();
        for (int i = 0; i < heldCount; i++) held.add(heldRef(holder, i));
        List<Waiter> waiting = new ArrayList<>();
        long since = now;
        for (String lock : locks) {
            since = Math.min(since, runningHolds.of(lock).since);
            waiting.addAll(byLock.get(lock));
        }
        List<LockRef> wanted = new ArrayList<>();
        List<ThreadView> blocked = new ArrayList<>();
        addBlockedAndBehind(holder, heldCount, waiting, blocked, wanted, new HashSet<>(), now, stackDepth);
        ThreadView view = new ThreadView(owner, Thread.State.RUNNABLE.name(), null, null, Tie.LOCK, 0, held, frames);
        boolean noCarrier = carrierWaits.waitedSinceLastCheck(holder.threadId);
        return new LongHoldFinding(view, TimeUnit.NANOSECONDS.toMillis(now - since), -1,
                noCarrier ? LongHoldFinding.Running.NO_CARRIER : LongHoldFinding.Running.of(frames), wanted, blocked,
                noCarrier ? Carriers.mounted(owner, MAX_CARRIERS_SHOWN, stackDepth) : Collections.emptyList());
    }

    private void findDeadlocks(long now, int stackDepth, Set<String> reported, Found found) {
        Set<String> seenNow = new HashSet<>();
        Set<Long> deadlocked = new HashSet<>();
        for (List<Waiter> cycle : cyclesOf(waiters)) {
            boolean virtual = hasVirtualThread(cycle);
            if (!virtual && !hasWaitTheJvmCannotSee(cycle)) continue;
            String key = key(cycle);
            if (!seenNow.add(key) || !seenLastCheck.contains(key)) continue;
            for (Waiter w : cycle) deadlocked.add(w.stack.threadId);
            if (reported.contains(key)) continue;
            found.deadlocks.put(key, cycleViews(cycle, now, stackDepth));
            if (virtual) found.followedHere.add(key);
        }
        seenLastCheck = seenNow;
        found.deadlocked = deadlocked.size();
        found.deadlockedThreads = deadlocked;
    }

    /** Is the deadlock of this key still there at this check (all its threads in the same waits)? */
    boolean stillThere(String key) {
        return seenLastCheck.contains(key); // this check's, once it has run
    }

    /**
     * The threads that, at this check, wait behind a deadlock's threads ({@code cycle}, by id): for a lock one of
     * them holds, or one held by a thread already behind it. Only those {@code wanted} are shown, at most
     * {@code most} (reading a stack is not free, and a deadlock lists a bounded number), each with the thread it
     * waits for as its owner.
     */
    List<ThreadView> behind(Set<Long> cycle, LongPredicate wanted, int most, long now, int stackDepth) {
        if (most <= 0 || waiters.isEmpty()) return Collections.emptyList(); // the finding is full, or nobody waits
        List<Waiter> inCycle = new ArrayList<>();
        for (Waiter w : waiters) {
            if (cycle.contains(w.stack.threadId)) inCycle.add(w);
        }
        return walkBehind(inCycle, false, wanted, most, now, stackDepth);
    }

    /**
     * The threads behind {@code start} (not those themselves), breadth first, nearest first, each once: waiting for
     * what one of them holds, or for what a thread already behind holds (for a lock only, when {@code locksOnly}). Those
     * {@code wanted} (null: all) are shown, at most {@code most}, each with the thread it waits for as its owner.
     */
    private static List<ThreadView> walkBehind(List<Waiter> start, boolean locksOnly, LongPredicate wanted, int most,
                                               long now, int stackDepth) {
        List<Waiter> frontier = new ArrayList<>(start);
        Set<Waiter> reached = Collections.newSetFromMap(new IdentityHashMap<>());
        reached.addAll(frontier);
        List<ThreadView> views = new ArrayList<>();
        for (int i = 0; i < frontier.size() && views.size() < most; i++) {
            Waiter holder = frontier.get(i);
            for (Waiter w : locksOnly ? lockWaiters(holder.blocked) : holder.blocked) {
                if (!reached.add(w)) continue;
                frontier.add(w);
                if (views.size() < most && (wanted == null || wanted.test(w.stack.threadId))) {
                    views.add(view(w, holder.stack.thread, now, stackDepth));
                }
            }
        }
        return views;
    }

    private void findStalls(long now, int stackDepth, Set<Long> jvmWaiters, Found found) {
        for (Waiter b : waiters) {
            // Stuck: waiting for a lock past the threshold (the platform threads are in the JVM snapshots' count).
            if (b.waitsForALock() && isVirtual(b.stack.thread) && b.waitedNanos(now) >= thresholdNanos) found.stuck++;
        }
        for (Waiter waiter : waiters) {
            if (waiter.lockWait || waiter.blocked.isEmpty()) continue; // a stall's root waits for no lock, and blocks some
            List<Waiter> blocked = lockWaiters(waiter.blocked);
            if (blocked.isEmpty()) continue; // only joiners, or threads waiting for its task's result
            if (found.deadlockedThreads.contains(waiter.stack.threadId)) continue; // its wait (a join) is a deadlock's
            if (jvmWaiters.contains(waiter.stack.threadId) && !isVirtual(waiter.stack.thread)) {
                List<Waiter> virtual = virtualOnes(blocked);
                if (!virtual.isEmpty()) {
                    found.alsoBlocked.put(waiter.stack.threadId, new AlsoBlocked(waiter.stack, waiter.heldCount(), virtual));
                }
                continue; // the JVM snapshots' stall, and their count in threadsStuckNow
            }
            if (waiter.waitedNanos(now) < thresholdNanos) continue;
            found.stuck++;
            if (waiter.wait.stallReported) continue;
            waiter.wait.stallReported = true;
            found.stalls.add(stall(waiter, blocked, now, stackDepth));
        }
    }

    /**
     * Those of {@code blocked} that wait for a lock. A thread that joins a waiter, or gets the result of its task, waits
     * for it to finish its work, which may rightly take long: no stall of the waiter's (as the JVM's snapshots' stalls
     * count only the threads that wait for a lock the waiter holds).
     */
    private static List<Waiter> lockWaiters(List<Waiter> blocked) {
        List<Waiter> waitingForALock = new ArrayList<>(blocked.size());
        for (Waiter b : blocked) {
            if (b.tie == Tie.LOCK) waitingForALock.add(b);
        }
        return waitingForALock;
    }

    /** The wait-for graph: each waiting thread, with the waiting threads that hold what it waits for ({@code next}). */
    private List<Waiter> graphOf(List<LockStack> stacks, long now, JvmWaits jvmWaits) {
        List<Waiter> waiters = new ArrayList<>();
        Map<Long, Waiter> byId = new HashMap<>();
        for (LockStack stack : stacks) {
            Waiter w = waiterOf(stack);
            waiters.add(w);
            byId.put(stack.threadId, w);
        }
        waits.keySet().retainAll(byId.keySet());
        for (Waiter w : waiters) {
            Wait wait = waits.get(w.stack.threadId);
            long jvmSince = isVirtual(w.stack.thread) ? JvmWaits.UNKNOWN : jvmWaits.since(w.stack.threadId);
            // The stacks cannot tell one wait from many of the same kind (a sleep under a lock, again and again, is one
            // long "wait on nothing" to them); the JVM's snapshots count a platform thread's waits, and know better, and
            // lockwatch counts a virtual thread's parks.
            boolean newerByTheJvm = wait != null && jvmSince != JvmWaits.UNKNOWN && jvmSince > wait.since;
            if (wait == null || wait.state != w.stack.state || wait.on != w.waitsOn || wait.parks != w.stack.parks
                    || newerByTheJvm) {
                wait = new Wait(w.stack.state, w.waitsOn, w.stack.parks, newerByTheJvm ? jvmSince : now);
                waits.put(w.stack.threadId, wait);
            }
            w.wait = wait;
        }
        // Who holds what: the object a waiter would wait on for each lock held, mapped to its holders.
        Map<Object, List<Waiter>> holders = new IdentityHashMap<>();
        for (Waiter w : waiters) {
            for (int i = 0; i < w.heldCount(); i++) {
                Object on = w.stack.waitedOnAt(i);
                if (on == null) continue;
                listIn(holders, on).add(w);
            }
        }
        for (Waiter w : waiters) {
            if (w.waitsOn == null || !w.lockWait) continue;
            if (w.owner != null) {
                Waiter owner = byId.get(w.owner.getId());
                if (owner != null && owner != w) w.waitsFor(owner);
                continue;
            }
            boolean monitor = w.stack.state == Thread.State.BLOCKED;
            StampedLock stamped = w.waitsOn instanceof StampedLock ? (StampedLock) w.waitsOn : null;
            // An exclusive lock that the JDK says nobody owns is being handed over: whoever still has it on a
            // stack gave it up (a condition's await does). Only a read/write lock, and a StampedLock, have holders
            // the JDK does not name.
            if (!monitor && stamped == null && SynchronizerKind.of(w.waitsOn) != SynchronizerKind.READ_WRITE) continue;
            boolean wantsWrite = stamped != null && wantsWriteLock(w.stack.thread);
            for (Waiter h : holders.getOrDefault(w.waitsOn, Collections.emptyList())) {
                if (h == w) continue;
                if (monitor ? h.mayHaveReleasedInObjectWait(w.waitsOn)
                        : stamped != null ? !h.blocksStamped(stamped, wantsWrite) : !h.holdsShared(w.waitsOn)) continue;
                w.waitsFor(h);
            }
        }
        addJoinsAndResults(waiters);
        return waiters;
    }

    /**
     * Owner-less waits for another thread of the graph: a join of a virtual thread waits on that thread's termination
     * latch, which opens only when the thread ends; a {@code get()} of a {@code FutureTask} waits for the thread
     * running the task (a virtual thread's, of a thread-per-task executor, too). The waiter waits for that thread,
     * and with it for whatever that one waits for (a lock of the waiter's: the shutdown that never ends, the request
     * that holds a lock while it gets the result of a task that needs it). Only threads that are in the graph
     * themselves, waiting.
     */
    private static void addJoinsAndResults(List<Waiter> waiters) {
        Map<Object, Waiter> byLatch = null;
        Map<Thread, Waiter> byThread = null;
        for (Waiter w : waiters) {
            // A wait on nothing (Object.wait, a platform thread's join) is neither: VirtualJoins is not loaded for it
            // (its reflection costs milliseconds, and at exit the shutdown hooks' runner waits like that). A timed
            // wait ends by itself: no edge.
            if (w.lockWait || w.waitsOn == null || w.stack.state != Thread.State.WAITING) continue;
            Waiter waitedFor;
            Tie tie;
            if (w.joinsPlatformThread) {
                if (byThread == null) byThread = byThread(waiters);
                waitedFor = byThread.get((Thread) w.waitsOn);
                tie = Tie.JOIN;
            } else if (VirtualJoins.mayBeTermination(w.waitsOn)) {
                if (byLatch == null) byLatch = VirtualJoins.byTerminationLatch(waiters);
                waitedFor = byLatch.get(w.waitsOn);
                tie = Tie.JOIN;
            } else {
                Thread runner = RunningTasks.runnerOf(w.waitsOn);
                if (runner == null) continue;
                if (byThread == null) byThread = byThread(waiters);
                waitedFor = byThread.get(runner);
                tie = Tie.RESULT;
            }
            if (waitedFor == null || waitedFor == w) continue; // nothing in the graph to wait for; or itself (self_wait)
            w.waitsFor(waitedFor);
            w.tie = tie;
        }
    }

    private static Map<Thread, Waiter> byThread(List<Waiter> waiters) {
        Map<Thread, Waiter> byThread = new IdentityHashMap<>();
        for (Waiter w : waiters) byThread.put(w.stack.thread, w);
        return byThread;
    }

    /** Reads a virtual thread's termination latch (fields of the JDK's, opened to lockwatch by the agent). */
    private static final class VirtualJoins {
        /** {@code VirtualThread.termination}: the latch its joiners wait on, made on the first join. */
        private static final Field TERMINATION =
                JdkFields.field(ThreadRegistry.virtualThreadClass(), "termination");
        /** {@code CountDownLatch.sync}: what a thread waiting on the latch is parked on. */
        private static final Field SYNC = JdkFields.field(CountDownLatch.class, "sync");
        private static final Class<?> LATCH_SYNC = SYNC != null ? SYNC.getType() : null;

        static boolean mayBeTermination(Object blocker) {
            return TERMINATION != null && LATCH_SYNC != null && LATCH_SYNC.isInstance(blocker);
        }

        /** The graph's virtual threads by what their joiners park on. */
        static Map<Object, Waiter> byTerminationLatch(List<Waiter> waiters) {
            Map<Object, Waiter> byLatch = new IdentityHashMap<>();
            for (Waiter w : waiters) {
                if (!isVirtual(w.stack.thread)) continue;
                try {
                    Object latch = TERMINATION.get(w.stack.thread);
                    if (latch != null) byLatch.put(SYNC.get(latch), w);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // not readable: this join is missed, never invented
                }
            }
            return byLatch;
        }
    }

    private static Waiter waiterOf(LockStack stack) {
        int top = stack.size() - 1;
        if (stack.state == Thread.State.BLOCKED) {
            // Blocked on a monitor: the one pushed last, unless it was taken in code we do not track (then it is
            // held, and nobody else's stack has it: no edge).
            boolean onTop = stack.isMonitorAt(top) && stack.topMayBePending();
            return new Waiter(stack, onTop ? stack.lockAt(top) : null, true, onTop, null);
        }
        Object blocker = LockSupport.getBlocker(stack.thread);
        if (blocker == null && isJoiningAPlatformThread(stack)) return Waiter.joining(stack, stack.joined);
        // A StampedLock parks its waiters on itself and names no owner: its holders come from the stacks.
        if (stack.state == Thread.State.WAITING && blocker instanceof StampedLock) return new Waiter(stack, blocker, true, false, null);
        if (stack.state != Thread.State.WAITING || !(blocker instanceof AbstractOwnableSynchronizer)) {
            return Waiter.ownerless(stack, blocker);
        }
        Thread owner = exclusiveOwner(blocker);
        if (owner == null && SynchronizerKind.of(blocker) == SynchronizerKind.NONE) return Waiter.ownerless(stack, blocker); // a latch, a semaphore
        boolean topIsWanted = stack.topMayBePending() && stack.synchronizerAt(top) == blocker;
        return new Waiter(stack, blocker, true, topIsWanted, owner);
    }

    /**
     * A virtual thread's join of a platform thread waits in {@code Object.wait} on that thread, parked on nothing: its
     * stack says whether the thread it joined last ({@link LockStack#joined}) is the one it is joining now. Its frames
     * are read only for such a thread: a virtual one that joined a platform thread, waiting on nothing.
     */
    private static boolean isJoiningAPlatformThread(LockStack stack) {
        Thread joined = stack.joined;
        if (joined == null || isVirtual(joined) || !isVirtual(stack.thread)) return false;
        boolean inWait = false;
        for (StackTraceElement frame : stack.thread.getStackTrace()) {
            if (isObjectWait(frame)) {
                inWait = true;
            } else if (inWait) { // the first frame below Object.wait's: Thread.join's, or the wait is another one
                return frame.getClassName().equals("java.lang.Thread") && frame.getMethodName().equals("join");
            }
        }
        return false;
    }

    /**
     * The list under {@code key}, made if there is none. Not {@code computeIfAbsent}: a lambda's class is spun at its
     * first use, which may be the check at exit.
     */
    private static <K, V> List<V> listIn(Map<K, List<V>> map, K key) {
        List<V> list = map.get(key);
        if (list == null) map.put(key, list = new ArrayList<>(1));
        return list;
    }

    private static boolean isObjectWait(StackTraceElement frame) {
        return frame.getClassName().equals("java.lang.Object") && frame.getMethodName().startsWith("wait");
    }

    /** Every cycle of the graph, each once (each waiter has one successor but for a lock read by several). */
    private static List<List<Waiter>> cyclesOf(List<Waiter> waiters) {
        List<List<Waiter>> cycles = new ArrayList<>();
        Map<Waiter, Boolean> done = new IdentityHashMap<>();
        for (Waiter start : waiters) {
            if (!done.containsKey(start)) search(start, new ArrayList<>(), done, cycles);
        }
        return cycles;
    }

    /** Depth-first: a successor already on the path closes a cycle. */
    private static void search(Waiter at, List<Waiter> path, Map<Waiter, Boolean> done, List<List<Waiter>> cycles) {
        int onPath = path.indexOf(at);
        if (onPath >= 0) {
            cycles.add(new ArrayList<>(path.subList(onPath, path.size())));
            return;
        }
        if (done.containsKey(at)) return;
        path.add(at);
        for (Waiter next : at.next) search(next, path, done, cycles);
        path.remove(path.size() - 1);
        done.put(at, Boolean.TRUE);
    }

    private static boolean hasVirtualThread(List<Waiter> cycle) {
        for (Waiter w : cycle) {
            if (isVirtual(w.stack.thread)) return true;
        }
        return false;
    }

    /**
     * A wait for a lock whose holders the JVM does not name (a read/write lock held by readers, a StampedLock): its
     * deadlock search has no edge there, so a cycle through it, of platform threads alone too, is lockwatch's.
     */
    private static boolean hasWaitTheJvmCannotSee(List<Waiter> cycle) {
        for (Waiter w : cycle) {
            if (w.lockWait && w.owner == null && w.stack.state != Thread.State.BLOCKED) return true;
        }
        return false;
    }

    /** Whether a thread parked on a StampedLock asks for its write lock (else its read lock), by its stack. */
    private static boolean wantsWriteLock(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (!frame.getClassName().startsWith(STAMPED_LOCK)) continue;
            String method = frame.getMethodName();
            if (method.contains("Write")) return true;
            if (method.contains("Read")) return false;
        }
        return true; // unknown: as a writer, which any holder blocks
    }

    private static List<Waiter> virtualOnes(List<Waiter> waiters) {
        List<Waiter> virtual = new ArrayList<>(waiters.size());
        for (Waiter w : waiters) {
            if (isVirtual(w.stack.thread)) virtual.add(w);
        }
        return virtual;
    }

    private static boolean isVirtual(Thread thread) {
        return ThreadRegistry.isVirtual(thread);
    }

    /** The same cycle, whichever thread a check starts it from: its threads and the locks they wait on. */
    private static String key(List<Waiter> cycle) {
        List<String> parts = new ArrayList<>();
        for (Waiter w : cycle) parts.add(w.stack.threadId + "/" + LockRef.of(w.waitsOn, null).name());
        Collections.sort(parts);
        return String.join(" ", parts);
    }

    private static List<ThreadView> cycleViews(List<Waiter> cycle, long now, int stackDepth) {
        List<ThreadView> views = new ArrayList<>();
        for (int i = 0; i < cycle.size(); i++) {
            views.add(view(cycle.get(i), cycle.get((i + 1) % cycle.size()).stack.thread, now, stackDepth));
        }
        return views;
    }

    private static StallFinding stall(Waiter waiter, List<Waiter> blocked, long now, int stackDepth) {
        ThreadView waiterView = view(waiter, null, now, stackDepth);
        List<ThreadView> blockedViews = new ArrayList<>();
        List<LockRef> locks = new ArrayList<>();
        addBlocked(waiter.stack, waiter.heldCount(), blocked, blockedViews, locks, new HashSet<>(), now, stackDepth);
        String waitingOn = waiter.waitsOn != null ? LockRef.of(waiter.waitsOn, null).name()
                : StallFinding.nothingIn(waiterView.stack.isEmpty() ? null : ThreadView.method(waiterView.stack.get(0)));
        return new StallFinding(waiterView, waitingOn, locks, blockedViews);
    }

    /**
     * The threads blocked by {@code holder} (holding the first {@code heldCount} entries of its stack) as views, and
     * each lock of the holder they want, once (by name).
     */
    private static void addBlocked(LockStack holder, int heldCount, List<Waiter> blocked, List<ThreadView> views,
                                   List<LockRef> locks, Set<String> lockNames, long now, int stackDepth) {
        for (Waiter b : blocked) {
            views.add(view(b, holder.thread, now, stackDepth));
            LockRef lock = heldRef(holder, heldCount, b.waitsOn);
            if (lockNames.add(lock.name())) locks.add(lock);
        }
    }

    /** {@link #addBlocked}, then the threads waiting for a lock behind those blocked, breadth first, each once. */
    private static void addBlockedAndBehind(LockStack holder, int heldCount, List<Waiter> blocked, List<ThreadView> views,
                                            List<LockRef> locks, Set<String> lockNames, long now, int stackDepth) {
        addBlocked(holder, heldCount, blocked, views, locks, lockNames, now, stackDepth);
        views.addAll(walkBehind(blocked, true, null, Integer.MAX_VALUE, now, stackDepth));
    }

    /** The lock {@code on} stands for, as a stack whose first {@code heldCount} entries are held holds it: with its site. */
    private static LockRef heldRef(LockStack stack, int heldCount, Object on) {
        for (int i = 0; i < heldCount; i++) {
            if (stack.waitedOnAt(i) == on) return heldRef(stack, i);
        }
        return LockRef.of(on, null);
    }

    private static LockRef heldRef(LockStack stack, int i) {
        Object on = stack.waitedOnAt(i);
        StackTraceElement site = stack.siteAt(i);
        return LockRef.of(on != null ? on : stack.lockAt(i), site != null ? ThreadView.plain(site) : null);
    }

    /** A waiter as a finding shows it; {@code owner} is who holds what it waits for (null: nobody). */
    private static ThreadView view(Waiter w, Thread owner, long now, int stackDepth) {
        List<LockRef> held = new ArrayList<>();
        for (int j = 0; j < w.heldCount(); j++) held.add(heldRef(w.stack, j));
        StackTraceElement[] frames = ThreadView.stackOf(w.stack.thread, stackDepth);
        long millis = TimeUnit.NANOSECONDS.toMillis(w.waitedNanos(now));
        LockRef waitingFor = w.waitsOn != null ? LockRef.of(w.waitsOn, null) : null;
        return new ThreadView(w.stack.thread, w.stack.state.name(), waitingFor, owner, w.tie, millis, held, frames);
    }

    private static Thread exclusiveOwner(Object synchronizer) {
        Method owner = ExclusiveOwner.METHOD;
        if (owner == null) return null;
        try {
            return (Thread) owner.invoke(synchronizer);
        } catch (Throwable e) {
            return null;
        }
    }

    /**
     * {@code AbstractOwnableSynchronizer.getExclusiveOwnerThread}, opened to us by the agent with the rest of
     * {@code java.util.concurrent.locks} (without it, owners come from the stacks). In a holder of its own, so
     * that it is looked up only when some thread waits holding something, never at start-up or exit.
     */
    private static final class ExclusiveOwner {
        static final Method METHOD = JdkFields.method(AbstractOwnableSynchronizer.class, "getExclusiveOwnerThread");
    }
}
