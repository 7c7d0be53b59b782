package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.Report;
import io.lockwatch.runtime.stats.AgentStats;
import io.lockwatch.runtime.track.LockTracker;
import io.lockwatch.runtime.track.ThreadCalls;
import io.lockwatch.runtime.track.ThreadRegistry;
import io.lockwatch.runtime.util.InternalErrors;
import io.lockwatch.runtime.util.Log;
import io.lockwatch.runtime.util.RuntimeModules;
import io.lockwatch.runtime.util.PlatformThreads;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.AbstractOwnableSynchronizer;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Finds hangs while they happen, on lockwatch's detector thread: real deadlocks (of locks, of class
 * initializations, of threads that join each other), stalls on owner-less waits, locks held by threads that have
 * ended, and (reported from the hooks in {@code Thread}, see {@link ThreadCalls}) self-joins and threads started
 * twice.
 *
 * <p>Each check takes a snapshot of every platform thread but the carriers of virtual threads, without stacks
 * or held locks ({@code getThreadInfo(ids, 0)}, which HotSpot answers without stopping the JVM at a safepoint). Only
 * when that shows something wrong does it ask more: {@code findDeadlockedThreads} when a lock's owner
 * itself waits for an owned lock, and full snapshots (stacks, held monitors and synchronizers) of the few
 * threads of a finding. Deadlocks and stalls with virtual threads in them, which those snapshots leave
 * out, come from lockwatch's own held-lock stacks ({@link TrackedHangs}). How long each
 * thread has been in its current wait is measured across checks: a wait is the same while the thread's
 * state, the object it waits on and its blocked/waited counters are unchanged.
 *
 * <p>Never blocks on an application lock: the JVM's thread snapshots take none, and the only lock here is
 * our own {@link #checking}, shared by the detector thread and the final check at shutdown.
 */
public final class HangDetector implements ThreadCalls.Listener {
    /** Shortest time between checks, however small the threshold. */
    public static final long MIN_PERIOD_MILLIS = 100;
    /** Most deadlocks, and most hazards, reported per run; more are counted in hangFindingsDropped. */
    public static final int MAX_FINDINGS = 1000;
    /** Most hazards noticed by application threads waiting for the detector. */
    private static final int MAX_PENDING = 256;
    /** Most locks of ended threads watched for new waiters. */
    private static final int MAX_DEAD_OWNER_WATCHES = 256;
    /** Most deadlocks watched for threads piling up behind them. */
    private static final int MAX_DEADLOCK_WATCHES = 64;

    private static final Runnable NO_WAKE_UP = new Runnable() {
        @Override
        public void run() {}
    };

    private final Report report;
    private final long thresholdNanos;
    private final long periodNanos;
    private final int stackDepth;

    private final ReentrantLock checking = new ReentrantLock();
    private final ConcurrentLinkedQueue<HangFinding> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final Set<Long> ownThreads = ConcurrentHashMap.newKeySet();
    private volatile Runnable wakeUp = NO_WAKE_UP;
    private volatile long nextCheck;

    // Only touched while holding `checking`.
    private ThreadMXBean threads;
    private boolean unavailable;
    private final Map<Long, Episode> episodes = new HashMap<>();
    private final Set<String> reportedDeadlocks = new HashSet<>();
    /**
     * The threads of the deadlocks this check confirmed that the JVM's snapshots show in an owner-less wait (a join,
     * a task's result, a wait for a read lock or a StampedLock): that wait is the deadlock's, and no stall
     * ({@link #findStalls}).
     */
    private final Set<Long> inDeadlocksNow = new HashSet<>();
    /** Class-initialization stalls reported: initializer, class and the start of its wait. */
    private final Set<String> reportedInitStalls = new HashSet<>();
    private final List<DeadOwnerFinding> deadOwners = new ArrayList<>();
    /** StampedLock holds of threads that ended, not yet held long enough after the end to report (see findDeadOwners). */
    private final List<ThreadRegistry.HeldByDeadThread> endedHoldingStamped = new ArrayList<>();
    /** Deadlocks reported, watched for the threads that come to wait behind them ({@link #followDeadlocks}). */
    private final List<OpenDeadlock> openDeadlocks = new ArrayList<>();
    private final LockHolds lockHolds = new LockHolds();
    private final TrackedHangs trackedHangs;
    private final ClassInitDeadlocks classInits;
    private int deadlockCount;
    private int hazardCount;

    public HangDetector(Report report, long thresholdMillis, int stackDepth) {
        this.report = report;
        this.thresholdNanos = TimeUnit.MILLISECONDS.toNanos(thresholdMillis);
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis(thresholdMillis));
        this.stackDepth = stackDepth;
        this.trackedHangs = new TrackedHangs(thresholdNanos);
        this.classInits = new ClassInitDeadlocks(thresholdNanos, stackDepth);
        this.nextCheck = System.nanoTime() + periodNanos; // first check one period after start, not during it
    }

    /** A quarter of the threshold, so a hang is seen at most a quarter late; never under 100 ms. */
    public static long periodMillis(long thresholdMillis) {
        return Math.max(MIN_PERIOD_MILLIS, thresholdMillis / 4);
    }

    /** How the detector thread is woken when an application thread reports a hazard. */
    public void wakeUpWith(Runnable wakeUp) {
        this.wakeUp = wakeUp;
    }

    /** Threads of lockwatch's own, never reported. */
    public void ownThread(Thread thread) {
        ownThreads.add(thread.getId());
    }

    public long nanosUntilDue() {
        return Math.max(0, nextCheck - System.nanoTime());
    }

    /** On the detector thread, each round: publish what application threads reported; check if it is time. */
    public void runDue() {
        checking.lock();
        try {
            publishPending();
            if (System.nanoTime() - nextCheck >= 0) check();
        } catch (Throwable e) {
            InternalErrors.record("hang detector", e);
        } finally {
            checking.unlock();
        }
    }

    /**
     * At shutdown: one last check, on a thread of its own so that the hook returns within
     * {@code timeoutMillis} whatever happens (the hook must never hang the JVM's exit).
     */
    public void finalCheck(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Thread last = new Thread(new Runnable() {
            @Override
            public void run() {
                LockTracker.ignoreCurrentThread();
                try {
                    if (!checking.tryLock(timeoutMillis, TimeUnit.MILLISECONDS)) return;
                    try {
                        publishPending();
                        if (needsSnapshot()) check();
                        else checkWithoutSnapshot();
                    } finally {
                        checking.unlock();
                    }
                } catch (Throwable e) {
                    InternalErrors.record("final hang check", e);
                }
            }
        }, "lockwatch-final-check");
        last.setDaemon(true);
        ownThread(last);
        last.start();
        try {
            last.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- reported by application threads (ThreadCalls) ----

    @Override
    public void selfJoin(String threadName, long threadId, String call, StackTraceElement site, StackTraceElement[] stack) {
        enqueue(new SelfJoinFinding(threadName, threadId, call, site, stack));
    }

    @Override
    public void doubleStart(String threadName, long threadId, String state, String callerName, long callerId,
                            StackTraceElement site, StackTraceElement[] stack) {
        enqueue(new DoubleStartFinding(threadName, threadId, state, callerName, callerId, site, stack));
    }

    @Override
    public void selfDeadlock(String threadName, long threadId, Object lock, String held, String wanted,
                             StackTraceElement site, StackTraceElement[] stack) {
        enqueue(new SelfDeadlockFinding(threadName, threadId, LockRef.of(lock, null), held, wanted, site, stack));
    }

    /** On the application thread: hand over to the detector thread, which writes the report. */
    private void enqueue(HangFinding finding) {
        if (pendingCount.incrementAndGet() > MAX_PENDING) {
            pendingCount.decrementAndGet();
            AgentStats.hangFindingsDropped.incrementAndGet();
            return;
        }
        pending.offer(finding);
        wakeUp.run();
    }

    private void publishPending() {
        HangFinding finding;
        while ((finding = pending.poll()) != null) {
            pendingCount.decrementAndGet();
            addHazard(finding, finding instanceof SelfJoinFinding ? AgentStats.Hazard.SELF_JOIN
                    : finding instanceof SelfDeadlockFinding ? AgentStats.Hazard.SELF_DEADLOCK : AgentStats.Hazard.DOUBLE_START);
        }
    }

    // ---- the check ----

    /**
     * Can a check find anything that {@link #checkWithoutSnapshot()} cannot? Only asked at exit: a JVM that
     * lived shorter than one check period has not loaded the JVM's thread management yet (tens of
     * milliseconds, on the exit path of every short program), and usually needs none. Without a check
     * before, no wait has a known duration, so no stall can be found; a deadlock, and a waiter on a lock of
     * a dead thread, need a thread blocked on a monitor or parked on an owned lock
     * ({@code ReentrantLock}, a read/write lock). If no thread but ours is, there is nothing to find.
     */
    private boolean needsSnapshot() {
        if (threads != null || unavailable || thresholdNanos <= 0 || !episodes.isEmpty()) return true;
        for (Thread t : PlatformThreads.all()) {
            if (ownThreads.contains(t.getId())) continue;
            Thread.State state = t.getState();
            if (state == Thread.State.BLOCKED) return true;
            if ((state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
                    && LockSupport.getBlocker(t) instanceof AbstractOwnableSynchronizer) {
                return true;
            }
        }
        return false;
    }

    /** The check when no thread waits for an owned lock: locks left held by threads that ended. */
    private void checkWithoutSnapshot() {
        long started = beginCheck();
        ThreadRegistry.Sweep sweep = ThreadRegistry.sweep();
        int stuck = findTrackedHangs(sweep, 0, Collections.emptySet(), TrackedHangs.JvmWaits.NONE, started).stuck;
        followByStacks(started);
        findDeadOwners(sweep, null, Collections.emptyMap(), started); // no platform thread waits, so no snapshot is needed
        endCheck(started, stuck);
    }

    private void check() {
        long started = beginCheck();
        ThreadMXBean mx = threads();
        if (mx == null) return;
        Map<Long, ThreadInfo> live = new HashMap<>();
        // Not the carriers of virtual threads: asking about one while a virtual thread mounts on it or leaves it
        // can crash HotSpot (JDK-8392031, see PlatformThreads), and its own state says nothing about the virtual
        // thread it runs (hangs of virtual threads come from TrackedHangs).
        for (ThreadInfo info : mx.getThreadInfo(PlatformThreads.safeToSnapshot(mx, ownThreads), 0)) {
            if (info != null) live.put(info.getThreadId(), info);
        }
        updateEpisodes(live, started);
        inDeadlocksNow.clear();
        int deadlocked = findClassInitDeadlocks(mx, live, mayBeDeadlocked(live) ? findDeadlocks(mx, started) : 0, started);
        deadlocked = findJoinAndResultCycles(mx, live, deadlocked, started);
        ThreadRegistry.Sweep sweep = ThreadRegistry.sweep();
        Map<Long, List<Long>> waitersByOwner = waitersByOwner(live);
        Map<Long, List<Long>> behind = WaitChains.byRoot(live, waitersByOwner);
        followDeadlocks(mx, live, waitersByOwner, started);
        TrackedHangs.Found tracked = findTrackedHangs(sweep, deadlocked, waitersByOwner.keySet(),
                new SnapshotWaits(live, started), started);
        inDeadlocksNow.addAll(tracked.deadlockedThreads);
        followByStacks(started);
        List<Thread> waitingLong = inLongOwnerlessWaits(live, started);
        int stuck = tracked.stuck + findStalls(mx, live, waitersByOwner, behind, tracked, started)
                + findStarvedPools(mx, waitingLong, started) + findSelfWaits(mx, waitingLong, started)
                + findClassInitStalls(mx, live, started);
        findLongHolds(mx, live, behind, tracked.alsoBlocked, started);
        findDeadOwners(sweep, mx, live, started);
        endCheck(started, stuck);
    }

    /** @return the check's start; the next periodic check is due one period later */
    private long beginCheck() {
        long now = System.nanoTime();
        nextCheck = now + periodNanos;
        return now;
    }

    /** The gauges and counters every completed check updates. */
    private static void endCheck(long started, int stuck) {
        AgentStats.threadsStuckNow.set(stuck);
        AgentStats.hangChecks.incrementAndGet();
        AgentStats.hangCheckNanos.addAndGet(System.nanoTime() - started);
    }

    private ThreadMXBean threads() {
        if (threads != null || unavailable) return threads;
        List<String> missing = RuntimeModules.missing("java.management");
        if (!missing.isEmpty()) {
            unavailable = true;
            Log.warn("hang detection is off: this Java runtime has no module java.management (a jlink image, or"
                    + " --limit-modules, without it); lock-order findings are not affected. " + RuntimeModules.fix(missing));
            return null;
        }
        try {
            threads = ManagementFactory.getThreadMXBean();
        } catch (Throwable e) {
            unavailable = true;
            Log.warn("hang detection is off: the JVM's thread management is not available (" + e
                    + "); lock-order findings are not affected");
        }
        return threads;
    }

    /** One uninterrupted wait of one thread, as far as the snapshots can tell. */
    private static final class Episode {
        final Thread.State state;
        final String lockName;
        final long blockedCount;
        final long waitedCount;
        final long since;
        boolean reported;
        boolean starvationReported;
        /** Asked once per wait whether it is a wait for itself ({@link #findSelfWaits}), and the answer. */
        boolean selfWaitLookedAt;
        boolean selfWait;

        Episode(ThreadInfo info, long now) {
            this.state = info.getThreadState();
            this.lockName = info.getLockName();
            this.blockedCount = info.getBlockedCount();
            this.waitedCount = info.getWaitedCount();
            this.since = now;
        }

        boolean same(ThreadInfo info) {
            return info.getThreadState() == state && Objects.equals(info.getLockName(), lockName)
                    && info.getBlockedCount() == blockedCount && info.getWaitedCount() == waitedCount;
        }
    }

    /** This check's snapshot's episodes, for {@link TrackedHangs}: when each platform thread's wait began. */
    private final class SnapshotWaits implements TrackedHangs.JvmWaits {
        private final Map<Long, ThreadInfo> live;
        private final long checkStart;

        SnapshotWaits(Map<Long, ThreadInfo> live, long checkStart) {
            this.live = live;
            this.checkStart = checkStart;
        }

        @Override
        public long since(long threadId) {
            if (!live.containsKey(threadId)) return UNKNOWN;
            Episode e = episodes.get(threadId);
            return e != null ? e.since : checkStart; // not waiting at the snapshot: whatever wait it is in began after
        }
    }

    /** Waiting for something no thread owns: a latch, a condition, a join, a sleep... */
    private static boolean isOwnerlessWait(ThreadInfo info) {
        Thread.State s = info.getThreadState();
        return (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) && info.getLockOwnerId() < 0;
    }

    private void updateEpisodes(Map<Long, ThreadInfo> live, long now) {
        episodes.keySet().retainAll(live.keySet());
        for (ThreadInfo info : live.values()) {
            long id = info.getThreadId();
            if (!ThreadRegistry.isWaiting(info.getThreadState())) {
                episodes.remove(id);
                continue;
            }
            Episode e = episodes.get(id);
            if (e == null || !e.same(info)) episodes.put(id, new Episode(info, now));
        }
    }

    /** How long a thread waiting for a class's initialization has stood still (its CPU time unmoved). */
    private long stillMillis(long threadId, long now) {
        return TimeUnit.NANOSECONDS.toMillis(now - classInits.stillSince(threadId, now));
    }

    /**
     * Full snapshots of these threads, for a finding: stacks, and the monitors and synchronizers each holds (a
     * safepoint, unlike the check's own snapshot).
     */
    private ThreadInfo[] withStacks(ThreadMXBean mx, long[] ids) {
        return mx.getThreadInfo(ids, mx.isObjectMonitorUsageSupported(), mx.isSynchronizerUsageSupported(), stackDepth);
    }

    private long waitedMillis(long threadId, long now) {
        Episode e = episodes.get(threadId);
        return e == null ? 0 : TimeUnit.NANOSECONDS.toMillis(now - e.since);
    }

    private boolean waitedLong(long threadId, long now) {
        Episode e = episodes.get(threadId);
        return e != null && now - e.since >= thresholdNanos;
    }

    // ---- deadlocks ----

    /**
     * A deadlock needs a thread waiting for a lock whose owner itself waits for an owned lock. Without one
     * in the snapshot, the JVM's deadlock search (which stops the JVM at a safepoint) is skipped.
     */
    private static boolean mayBeDeadlocked(Map<Long, ThreadInfo> live) {
        for (ThreadInfo info : live.values()) {
            if (info.getLockOwnerId() < 0) continue;
            ThreadInfo owner = live.get(info.getLockOwnerId());
            if (owner != null && owner.getLockOwnerId() >= 0) return true;
        }
        return false;
    }

    /** @return how many threads are deadlocked now, by the JVM's search */
    private int findDeadlocks(ThreadMXBean mx, long now) {
        boolean synchronizers = mx.isSynchronizerUsageSupported();
        long[] found = synchronizers ? mx.findDeadlockedThreads() : mx.findMonitorDeadlockedThreads();
        // A cycle through a carrier has a pinned virtual thread in it, and TrackedHangs reports it by that thread.
        long[] ids = found == null ? new long[0] : PlatformThreads.withoutCarriers(found);
        AgentStats.threadsDeadlockedNow.set(ids.length); // before the report is written
        if (ids.length == 0) return 0;
        Map<Long, ThreadInfo> byId = new HashMap<>();
        for (ThreadInfo info : withStacks(mx, ids)) {
            if (info != null) byId.put(info.getThreadId(), info);
        }
        // Each thread waits for one lock with one owner: follow the owners until a thread comes back.
        Map<Long, Long> owners = new HashMap<>();
        for (ThreadInfo info : byId.values()) {
            if (byId.containsKey(info.getLockOwnerId())) owners.put(info.getThreadId(), info.getLockOwnerId());
        }
        List<Long> starts = new ArrayList<>();
        for (long id : ids) starts.add(id);
        for (List<Long> cycle : WaitChains.cycles(starts, owners::get)) reportDeadlock(cycle, byId, now);
        return ids.length;
    }

    private void reportDeadlock(List<Long> cycle, Map<Long, ThreadInfo> byId, long now) {
        List<String> parts = new ArrayList<>();
        for (long id : cycle) parts.add(id + "/" + byId.get(id).getLockName());
        Collections.sort(parts);
        String key = String.join(" ", parts);
        if (reportedDeadlocks.contains(key)) return;
        List<ThreadView> views = new ArrayList<>();
        for (long id : cycle) views.add(new ThreadView(byId.get(id), waitedMillis(id, now)));
        publishAndFollow(key, new DeadlockFinding(views), false);
    }

    /**
     * A deadlock being followed. {@code byStacksOnly}: it has virtual threads, which no snapshot shows, so lockwatch's
     * stacks alone tell whether it is still there ({@link TrackedHangs#stillThere}, by its key).
     */
    private record OpenDeadlock(String key, DeadlockFinding finding, boolean byStacksOnly) {}

    /** Publishes a deadlock, and follows it for the threads that come to wait behind it ({@link #followDeadlocks}). */
    private void publishAndFollow(String key, DeadlockFinding finding, boolean byStacksOnly) {
        if (publishDeadlock(key, finding) && openDeadlocks.size() < MAX_DEADLOCK_WATCHES) {
            openDeadlocks.add(new OpenDeadlock(key, finding, byStacksOnly));
        }
    }

    /**
     * Every request that needs a lock of a deadlocked thread hangs behind it, and keeps coming: each thread that now
     * waits behind a cycle (for a lock one of its threads holds, or one held by a thread already behind it) is added
     * to the deadlock's finding and announced, as a dead owner's waiters are. A lock whose holders the JVM does not
     * name (a {@code StampedLock}, a read lock) is known by the cycle's own waits: a thread parked on a lock that a
     * thread of the cycle waits for is behind it too. A deadlock is let go once one of its threads waits for
     * something else (interrupted, or the JVM's exit). Virtual threads are in no snapshot: lockwatch's stacks follow
     * the deadlocks with virtual threads in them, and add the virtual threads that wait behind any deadlock
     * ({@link #followByStacks}).
     */
    private void followDeadlocks(ThreadMXBean mx, Map<Long, ThreadInfo> live, Map<Long, List<Long>> waitersByOwner, long now) {
        for (Iterator<OpenDeadlock> it = openDeadlocks.iterator(); it.hasNext(); ) {
            OpenDeadlock open = it.next();
            if (open.byStacksOnly()) continue;
            DeadlockFinding deadlock = open.finding();
            if (!deadlock.stillDeadlocked(live)) {
                it.remove();
                continue;
            }
            Set<Long> heads = deadlock.cycleIds();
            Set<Long> arrived = new LinkedHashSet<>(); // parked on a cycle's lock that names no owner, then behind
            for (ThreadInfo info : live.values()) {
                long id = info.getThreadId();
                if (info.getLockOwnerId() < 0 && !heads.contains(id) && deadlock.waitsForACycleLock(info)) arrived.add(id);
            }
            heads.addAll(arrived);
            arrived.addAll(WaitChains.behind(heads, waitersByOwner));
            arrived.removeIf(id -> !deadlock.wants(id));
            if (arrived.isEmpty()) continue;
            long[] ids = new long[arrived.size()];
            int n = 0;
            for (long id : arrived) ids[n++] = id;
            for (ThreadInfo info : withStacks(mx, ids)) {
                if (info == null || !deadlock.wants(info.getThreadId())) continue;
                if (info.getLockOwnerId() < 0 && !deadlock.waitsForACycleLock(info)) continue; // no longer waiting
                ThreadView thread = new ThreadView(info, waitedMillis(info.getThreadId(), now));
                deadlock.addBlocked(thread);
                report.updated(deadlock, deadlock.news(thread));
            }
        }
    }

    /**
     * Deadlocks and stalls with virtual threads in them, which the JVM's snapshots cannot show
     * ({@link TrackedHangs}); {@code threadsDeadlockedNow} then counts theirs and the JVM's
     * ({@code jvmDeadlocked}), before any report.
     *
     * @param jvmWaiters the platform threads that platform threads wait for in the JVM's snapshots, whose
     *     stalls {@link #findStalls} reports
     * @return what was found; its {@code stuck}: the threads stuck now that the snapshots do not count
     */
    private TrackedHangs.Found findTrackedHangs(ThreadRegistry.Sweep sweep, int jvmDeadlocked, Set<Long> jvmWaiters,
                                                TrackedHangs.JvmWaits jvmWaits, long now) {
        TrackedHangs.Found found = trackedHangs.check(sweep.waiting, sweep.running, now, stackDepth, reportedDeadlocks,
                jvmWaiters, jvmWaits);
        AgentStats.threadsDeadlockedNow.set(jvmDeadlocked + found.deadlocked);
        for (Map.Entry<String, List<ThreadView>> deadlock : found.deadlocks.entrySet()) {
            String key = deadlock.getKey();
            publishAndFollow(key, new DeadlockFinding(deadlock.getValue()), found.followedHere.contains(key));
        }
        for (StallFinding stall : found.stalls) addHazard(stall, AgentStats.Hazard.STALL);
        for (LongHoldFinding hold : found.longHolds) addHazard(hold, AgentStats.Hazard.LONG_HOLD);
        return found;
    }

    /**
     * After this check's {@link TrackedHangs}: adds to each open deadlock the threads that lockwatch's stacks show
     * waiting behind it and that are not listed yet, and announces them (for a deadlock the snapshots follow, those
     * are the virtual threads, which no snapshot shows, and the platform threads behind them). A deadlock with
     * virtual threads in it is let go here once its cycle is gone.
     */
    private void followByStacks(long now) {
        for (Iterator<OpenDeadlock> it = openDeadlocks.iterator(); it.hasNext(); ) {
            OpenDeadlock open = it.next();
            if (open.byStacksOnly() && !trackedHangs.stillThere(open.key())) {
                it.remove();
            } else {
                addBehindByStacks(open.finding(), now);
            }
        }
    }

    private void addBehindByStacks(DeadlockFinding deadlock, long now) {
        List<ThreadView> behind = trackedHangs.behind(deadlock.cycleIds(), deadlock::wants, deadlock.room(), now, stackDepth);
        for (ThreadView thread : behind) {
            deadlock.addBlocked(thread);
            report.updated(deadlock, deadlock.news(thread));
        }
    }

    /** A deadlock not reported before (by {@code key}: its threads and the locks they wait on). @return if published */
    private boolean publishDeadlock(String key, HangFinding finding) {
        if (reportedDeadlocks.contains(key)) return false;
        if (deadlockCount >= MAX_FINDINGS) {
            AgentStats.hangFindingsDropped.incrementAndGet();
            return false;
        }
        reportedDeadlocks.add(key);
        finding.number(++deadlockCount);
        AgentStats.deadlocks.incrementAndGet();
        report.addDeadlock(finding);
        return true;
    }

    // ---- threads that wait for each other's end or task, or for a thread that waits for their lock ----

    /**
     * Platform threads in a cycle of waits with a join or a task's result in it ({@link JoinAndResultCycles}): a
     * deadlock that the JVM's search does not see. Reported as one, at the first check that sees it, the thread each
     * waits for named as its owner (the one it joins, the one running the task it gets); its stall (a thread waiting
     * on something nobody owns, with a thread blocked behind it) is not reported.
     *
     * @return the threads deadlocked now, these added
     */
    private int findJoinAndResultCycles(ThreadMXBean mx, Map<Long, ThreadInfo> live, int deadlocked, long now) {
        List<JoinAndResultCycles.Cycle> cycles;
        try {
            cycles = JoinAndResultCycles.find(live);
        } catch (Exception e) {
            InternalErrors.record("join and result cycle search", e);
            return deadlocked;
        }
        for (JoinAndResultCycles.Cycle cycle : cycles) {
            ThreadInfo[] infos = withStacks(mx, cycle.threadIds);
            if (!cycle.confirmedBy(infos)) continue; // one has left its wait (or ended), or its monitor wait is no join
            for (long id : cycle.threadIds) inDeadlocksNow.add(id);
            deadlocked += infos.length;
            AgentStats.threadsDeadlockedNow.set(deadlocked); // before the report is written
            if (reportedDeadlocks.contains(cycle.key)) continue; // counted; described once
            List<ThreadView> views = new ArrayList<>();
            for (int i = 0; i < infos.length; i++) {
                long waited = waitedMillis(cycle.threadIds[i], now);
                views.add(ThreadView.waitingForNext(infos[i], waited, cycle.ties[i], infos[(i + 1) % infos.length]));
            }
            publishAndFollow(cycle.key, new DeadlockFinding(views), false);
        }
        return deadlocked;
    }

    // ---- deadlocks in static initializers ----

    /**
     * Threads each waiting for a class that the next one is initializing ({@link ClassInitDeadlocks}), which the
     * JVM's deadlock search does not see.
     *
     * @param jvmDeadlocked the threads in deadlocks by the JVM's search
     * @return how many threads are in deadlocks now, those and these
     */
    private int findClassInitDeadlocks(ThreadMXBean mx, Map<Long, ThreadInfo> live, int jvmDeadlocked, long now) {
        List<ClassInitDeadlocks.Cycle> cycles;
        try {
            cycles = classInits.find(mx, live, now);
        } catch (Exception e) {
            InternalErrors.record("class initialization deadlock search", e);
            return jvmDeadlocked;
        }
        int deadlocked = jvmDeadlocked;
        for (ClassInitDeadlocks.Cycle cycle : cycles) deadlocked += cycle.threads.size();
        if (!cycles.isEmpty()) AgentStats.threadsDeadlockedNow.set(deadlocked); // before the report is written
        for (ClassInitDeadlocks.Cycle cycle : cycles) {
            if (reportedDeadlocks.contains(cycle.key)) continue;
            long[] ids = new long[cycle.threads.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = cycle.threads.get(i).getThreadId();
            // Again, with the monitors each holds (a static initializer may have taken some before it waited).
            ThreadInfo[] infos = withStacks(mx, ids);
            List<ThreadView> views = new ArrayList<>();
            for (int i = 0; i < ids.length; i++) {
                ThreadInfo info = infos[i] != null ? infos[i] : cycle.threads.get(i);
                views.add(new ThreadView(info, cycle.waitsFor.get(i) != null ? stillMillis(ids[i], now) : waitedMillis(ids[i], now)));
            }
            publishDeadlock(cycle.key, new ClassInitDeadlockFinding(views, cycle.waitsFor, cycle.initializing));
        }
        return deadlocked;
    }

    /**
     * Threads waiting for a class whose initializer has waited past the threshold on something no thread owns
     * ({@link ClassInitStallFinding}), from the waits {@link ClassInitDeadlocks} found outside any cycle.
     *
     * @return the threads stuck so: the initializers and their waiters
     */
    private int findClassInitStalls(ThreadMXBean mx, Map<Long, ThreadInfo> live, long now) {
        int stuck = 0;
        for (ClassInitDeadlocks.InitWait wait : classInits.initWaits()) {
            ThreadInfo initializer = live.get(wait.initializer);
            if (initializer == null || !isOwnerlessWait(initializer) || !waitedLong(wait.initializer, now)) continue;
            stuck += 1 + wait.waiters.size();
            Episode episode = episodes.get(wait.initializer);
            String key = wait.initializer + "/" + wait.className + "/" + episode.since;
            if (reportedInitStalls.contains(key)) continue;
            long[] ids = new long[wait.waiters.size() + 1];
            ids[0] = wait.initializer;
            for (int i = 1; i < ids.length; i++) ids[i] = wait.waiters.get(i - 1).getThreadId();
            ThreadInfo[] infos = withStacks(mx, ids);
            if (infos[0] == null || !episode.same(infos[0])) continue; // the wait ended meanwhile
            List<ThreadView> waiters = new ArrayList<>();
            for (int i = 1; i < infos.length; i++) {
                ThreadInfo w = infos[i] != null ? infos[i] : wait.waiters.get(i - 1);
                waiters.add(new ThreadView(w, stillMillis(ids[i], now)));
            }
            reportedInitStalls.add(key);
            addHazard(new ClassInitStallFinding(new ThreadView(infos[0], waitedMillis(ids[0], now)), waitingOn(infos[0]),
                    wait.className, waiters), AgentStats.Hazard.CLASS_INIT_STALL);
        }
        return stuck;
    }

    // ---- stalls on owner-less waits ----

    /** The threads of the snapshot that wait for an owned lock, by the lock's owner. */
    private static Map<Long, List<Long>> waitersByOwner(Map<Long, ThreadInfo> live) {
        Map<Long, List<Long>> byOwner = new LinkedHashMap<>();
        for (ThreadInfo info : live.values()) {
            long owner = info.getLockOwnerId();
            if (owner >= 0 && ThreadRegistry.isWaiting(info.getThreadState())) {
                byOwner.computeIfAbsent(owner, k -> new ArrayList<>()).add(info.getThreadId());
            }
        }
        return byOwner;
    }

    /**
     * @param waitersByOwner the snapshot's threads that wait for an owned lock, by owner ({@link #waitersByOwner})
     * @param behind the threads blocked behind each thread at the end of a chain of lock waits ({@link WaitChains})
     * @param tracked what lockwatch's own stacks found: by waiter, the virtual threads that wait for it too, which the
     *     snapshots do not show; and the threads in deadlocks the snapshots show as owner-less waits
     * @return the threads stuck right now: waiting for a lock longer than the threshold, or stalling others
     */
    private int findStalls(ThreadMXBean mx, Map<Long, ThreadInfo> live, Map<Long, List<Long>> waitersByOwner,
                           Map<Long, List<Long>> behind, TrackedHangs.Found tracked, long now) {
        int stuck = 0;
        Map<Long, List<Long>> blockedByWaiter = new LinkedHashMap<>();
        for (Map.Entry<Long, List<Long>> e : waitersByOwner.entrySet()) {
            for (long waiting : e.getValue()) {
                if (waitedLong(waiting, now)) stuck++;
            }
            long owner = e.getKey();
            ThreadInfo holder = live.get(owner);
            if (inDeadlocksNow.contains(owner)) continue; // its owner-less wait is a deadlock's
            // All the threads behind it, not only those on its own locks: an owner-less waiter ends a chain.
            if (holder != null && isOwnerlessWait(holder) && waitedLong(owner, now)) blockedByWaiter.put(owner, behind.get(owner));
        }
        stuck += blockedByWaiter.size();
        for (Map.Entry<Long, List<Long>> e : blockedByWaiter.entrySet()) {
            Episode episode = episodes.get(e.getKey());
            if (!episode.reported) {
                episode.reported = reportStall(mx, e.getKey(), e.getValue(), tracked.alsoBlocked.get(e.getKey()), episode, now);
            }
        }
        return stuck;
    }

    /** Confirms the stall on one consistent snapshot of the threads involved, then reports it. */
    private boolean reportStall(ThreadMXBean mx, long waiterId, List<Long> blockedIds, TrackedHangs.AlsoBlocked alsoBlocked,
                                Episode episode, long now) {
        long[] ids = new long[blockedIds.size() + 1];
        ids[0] = waiterId;
        for (int i = 0; i < blockedIds.size(); i++) ids[i + 1] = blockedIds.get(i);
        ThreadInfo[] infos = withStacks(mx, ids);
        ThreadInfo waiterInfo = infos[0];
        if (waiterInfo == null || !episode.same(waiterInfo)) return false; // the wait ended meanwhile
        ThreadView waiter = new ThreadView(waiterInfo, waitedMillis(waiterId, now));
        List<LockRef> locks = new ArrayList<>();
        List<ThreadView> blocked = blockedBehind(infos, waiter, locks, now);
        if (blocked.isEmpty()) return false;
        if (alsoBlocked != null) alsoBlocked.addTo(blocked, locks, namesOf(locks), now, stackDepth);
        addHazard(new StallFinding(waiter, waitingOn(waiterInfo), locks, blocked), AgentStats.Hazard.STALL);
        return true;
    }

    /**
     * The threads of a full snapshot ({@code infos[0]} the root) still blocked behind the root, nearest first; adds
     * to {@code locks} the root's locks that they wait for.
     */
    private List<ThreadView> blockedBehind(ThreadInfo[] infos, ThreadView root, List<LockRef> locks, long now) {
        List<ThreadView> blocked = new ArrayList<>();
        Set<String> lockNames = new HashSet<>();
        for (ThreadInfo b : WaitChains.stillBehind(infos)) {
            blocked.add(new ThreadView(b, waitedMillis(b.getThreadId(), now)));
            if (b.getLockOwnerId() != root.id) continue; // behind another blocked thread
            LockRef lock = root.held(b.getLockInfo());
            if (lock != null && lockNames.add(lock.name())) locks.add(lock);
        }
        return blocked;
    }

    private static Set<String> namesOf(List<LockRef> locks) {
        Set<String> names = new HashSet<>();
        for (LockRef l : locks) names.add(l.name());
        return names;
    }

    /** What a thread in an owner-less wait waits on: the object, or when the JVM names none, its frame. */
    private static String waitingOn(ThreadInfo waiter) {
        if (waiter.getLockName() != null) return waiter.getLockName();
        StackTraceElement[] stack = waiter.getStackTrace();
        return StallFinding.nothingIn(stack.length > 0 ? stack[0].getClassName() + "." + stack[0].getMethodName() : null);
    }

    // ---- locks held by running threads ----

    /**
     * Long holds ({@link LongHoldFinding}): a {@code RUNNABLE} thread at the end of a chain of lock waits has owned a
     * lock that others wait for at every check for the threshold, and a thread behind it has waited that long. A
     * holder in Java code whose CPU time has not moved since the last check is in a wait inside the JVM (a class's
     * initialization), which the class-initialization search judges; it is not reported here. The virtual threads that
     * wait for the holder ({@code alsoBlocked}, from lockwatch's stacks: the snapshots leave them out) count as its
     * waiters, and may be the only ones.
     */
    private void findLongHolds(ThreadMXBean mx, Map<Long, ThreadInfo> live, Map<Long, List<Long>> behind,
                               Map<Long, TrackedHangs.AlsoBlocked> alsoBlocked, long now) {
        Map<String, Long> ownerByLock = new HashMap<>();
        for (ThreadInfo info : live.values()) {
            if (info.getLockOwnerId() >= 0 && ThreadRegistry.isWaiting(info.getThreadState())) {
                ownerByLock.put(info.getLockName(), info.getLockOwnerId());
            }
        }
        Set<Long> holders = new LinkedHashSet<>(behind.keySet());
        for (Map.Entry<Long, TrackedHangs.AlsoBlocked> e : alsoBlocked.entrySet()) {
            if (!isRunnable(live.get(e.getKey()))) continue; // waits: a stall's
            holders.add(e.getKey());
            for (String lock : e.getValue().lockNames()) ownerByLock.put(lock, e.getKey());
        }
        lockHolds.update(ownerByLock, now, owner -> isRunnable(live.get(owner)) ? cpuTime(mx, owner) : -1);
        for (long holder : holders) {
            if (!isRunnable(live.get(holder))) continue;
            List<Long> behindIds = behind.getOrDefault(holder, Collections.emptyList());
            TrackedHangs.AlsoBlocked virtual = alsoBlocked.get(holder);
            boolean waitedLong = virtual != null && virtual.longestWaitNanos(now) >= thresholdNanos;
            List<String> lockNames = new ArrayList<>();
            for (long waiter : behindIds) {
                waitedLong |= waitedLong(waiter, now);
                ThreadInfo w = live.get(waiter);
                if (w.getLockOwnerId() == holder) lockNames.add(w.getLockName());
            }
            if (virtual != null) lockNames.addAll(virtual.lockNames());
            List<LockHolds.Hold> holds = new ArrayList<>();
            LockHolds.Hold longest = null;
            for (String lock : lockNames) {
                LockHolds.Hold hold = lockHolds.of(lock);
                if (hold == null || hold.owner != holder) continue;
                holds.add(hold);
                if (longest == null || hold.since < longest.since) longest = hold;
            }
            if (longest == null || longest.reported || now - longest.since < thresholdNanos || !waitedLong) continue;
            if (reportLongHold(mx, holder, behindIds, virtual, longest, now)) {
                for (LockHolds.Hold h : holds) h.reported = true; // one finding per holder and hold
            }
        }
    }

    private boolean reportLongHold(ThreadMXBean mx, long holderId, List<Long> behindIds,
                                   TrackedHangs.AlsoBlocked alsoBlocked, LockHolds.Hold hold, long now) {
        long[] ids = new long[behindIds.size() + 1];
        ids[0] = holderId;
        for (int i = 0; i < behindIds.size(); i++) ids[i + 1] = behindIds.get(i);
        ThreadInfo[] infos = withStacks(mx, ids);
        ThreadInfo holderInfo = infos[0];
        if (!isRunnable(holderInfo)) return false; // it moved on meanwhile
        StackTraceElement[] stack = holderInfo.getStackTrace();
        LongHoldFinding.Running running = LongHoldFinding.Running.of(stack);
        if (running != LongHoldFinding.Running.NATIVE && classInits.stillSince(holderId, now) != now) {
            return false; // a wait inside the JVM, see above
        }
        ThreadView holder = new ThreadView(holderInfo, 0);
        List<LockRef> locks = new ArrayList<>();
        List<ThreadView> blocked = blockedBehind(infos, holder, locks, now);
        if (alsoBlocked != null) alsoBlocked.addTo(blocked, locks, namesOf(locks), now, stackDepth);
        if (blocked.isEmpty() || locks.isEmpty()) return false;
        long cpuNow = hold.ownerCpuAtStart < 0 ? -1 : cpuTime(mx, holderId);
        long cpuMillis = cpuNow < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(cpuNow - hold.ownerCpuAtStart);
        addHazard(new LongHoldFinding(holder, TimeUnit.NANOSECONDS.toMillis(now - hold.since), cpuMillis, running,
                locks, blocked, Collections.emptyList()), AgentStats.Hazard.LONG_HOLD);
        return true;
    }

    private static boolean isRunnable(ThreadInfo info) {
        return info != null && info.getThreadState() == Thread.State.RUNNABLE;
    }

    /** A thread's CPU time in ns, or -1 when the JVM does not measure it. */
    private static long cpuTime(ThreadMXBean mx, long threadId) {
        try {
            return mx.isThreadCpuTimeEnabled() ? mx.getThreadCpuTime(threadId) : -1;
        } catch (UnsupportedOperationException e) {
            return -1;
        }
    }

    // ---- locks held by threads that have ended ----

    private void findDeadOwners(ThreadRegistry.Sweep sweep, ThreadMXBean mx, Map<Long, ThreadInfo> live, long now) {
        List<ThreadRegistry.HeldByDeadThread> ended = new ArrayList<>();
        for (ThreadRegistry.HeldByDeadThread held : sweep.heldByEnded) {
            if (!held.mayBeUnlockedByOthers()) ended.add(held);
            else if (endedHoldingStamped.size() < MAX_DEAD_OWNER_WATCHES) endedHoldingStamped.add(held);
            else AgentStats.hangFindingsDropped.incrementAndGet();
        }
        // A StampedLock's ended holder may have handed its stamp to a thread that unlocks it later: reported once
        // it is still held a threshold after the end was seen (a period, when there is no threshold).
        long patience = Math.max(thresholdNanos, periodNanos);
        for (Iterator<ThreadRegistry.HeldByDeadThread> it = endedHoldingStamped.iterator(); it.hasNext(); ) {
            ThreadRegistry.HeldByDeadThread held = it.next();
            if (!held.stillHeld()) {
                it.remove();
            } else if (now - held.endSeenNanos >= patience) {
                it.remove();
                ended.add(held);
            }
        }
        for (ThreadRegistry.HeldByDeadThread held : ended) {
            DeadOwnerFinding finding = new DeadOwnerFinding(held);
            for (ThreadView w : waitersOf(finding, mx, live, now)) finding.addWaiter(w);
            if (addHazard(finding, AgentStats.Hazard.DEAD_OWNER)) {
                if (deadOwners.size() < MAX_DEAD_OWNER_WATCHES) deadOwners.add(finding);
            }
        }
        for (Iterator<DeadOwnerFinding> it = deadOwners.iterator(); it.hasNext(); ) {
            DeadOwnerFinding finding = it.next();
            if (finding.forgotten()) {
                it.remove();
                continue;
            }
            for (ThreadView w : waitersOf(finding, mx, live, now)) {
                finding.addWaiter(w);
                report.updated(finding, finding.news(w));
            }
        }
    }

    private List<ThreadView> waitersOf(DeadOwnerFinding finding, ThreadMXBean mx, Map<Long, ThreadInfo> live, long now) {
        List<Long> ids = new ArrayList<>();
        for (ThreadInfo info : live.values()) {
            if (ThreadRegistry.isWaiting(info.getThreadState()) && finding.isWaiter(info)) ids.add(info.getThreadId());
        }
        if (ids.isEmpty()) return Collections.emptyList();
        long[] array = new long[ids.size()];
        for (int i = 0; i < array.length; i++) array[i] = ids.get(i);
        List<ThreadView> views = new ArrayList<>();
        for (ThreadInfo info : withStacks(mx, array)) {
            if (info != null && finding.isWaiter(info)) views.add(new ThreadView(info, waitedMillis(info.getThreadId(), now)));
        }
        return views;
    }

    // ---- frozen thread pools ----

    /**
     * Pools whose every worker has waited past the threshold on a task queued in that same pool
     * ({@link PoolStarvation}); reported once while the same waits last.
     *
     * @return the threads of such pools: stuck, though no lock is involved
     */
    private int findStarvedPools(ThreadMXBean mx, List<Thread> waitingLong, long now) {
        if (waitingLong.isEmpty() || !PoolStarvation.available()) return 0; // idle waits, most checks
        int stuck = 0;
        for (PoolStarvation.Starved starved : PoolStarvation.find(waitingLong)) {
            stuck += starved.waits.size();
            boolean reportedAlready = true;
            for (Thread worker : starved.waits.keySet()) reportedAlready &= episodes.get(worker.getId()).starvationReported;
            if (!reportedAlready && reportStarvedPool(mx, starved, now)) {
                for (Thread worker : starved.waits.keySet()) episodes.get(worker.getId()).starvationReported = true;
            }
        }
        return stuck;
    }

    /**
     * The snapshot's platform threads in an owner-less wait past the threshold (not lockwatch's own threads, nor
     * carriers): those a pool's starvation or a wait for itself can hold. Empty at most checks, asked of no thread.
     */
    private List<Thread> inLongOwnerlessWaits(Map<Long, ThreadInfo> live, long now) {
        Set<Long> waitedLong = new HashSet<>();
        for (ThreadInfo info : live.values()) {
            if (isOwnerlessWait(info) && waitedLong(info.getThreadId(), now)) waitedLong.add(info.getThreadId());
        }
        if (waitedLong.isEmpty()) return Collections.emptyList();
        List<Thread> waiting = new ArrayList<>();
        for (Thread t : PlatformThreads.all()) {
            if (waitedLong.contains(t.getId())) waiting.add(t);
        }
        return waiting;
    }

    /**
     * Threads waiting for something only they can bring about ({@link SelfWaits}): the result of their own task, the
     * termination of their own pool. Each wait is looked at once (the blocker stays the same while the episode
     * does: most long waits are idle workers, looked at again only once they have run a task), and reported on a
     * snapshot with the thread's stack.
     *
     * @return how many threads wait so now (stuck: the wait ends only by its timeout, if it has one)
     */
    private int findSelfWaits(ThreadMXBean mx, List<Thread> waitingLong, long now) {
        int stuck = 0;
        for (Thread t : waitingLong) {
            Episode episode = episodes.get(t.getId());
            if (!episode.selfWaitLookedAt) {
                episode.selfWaitLookedAt = true;
                SelfWaits.SelfWait wait = SelfWaits.of(t);
                episode.selfWait = wait != null && reportSelfWait(mx, t, wait, episode, now);
            }
            if (episode.selfWait) stuck++;
        }
        return stuck;
    }

    /** @return false when the wait ended meanwhile (not reported) */
    private boolean reportSelfWait(ThreadMXBean mx, Thread t, SelfWaits.SelfWait wait, Episode episode, long now) {
        ThreadInfo info = withStacks(mx, new long[] {t.getId()})[0];
        if (info == null || !episode.same(info)) return false;
        String object = LockRef.of(wait.task != null ? wait.task : wait.pool, null).name();
        addHazard(new SelfWaitFinding(new ThreadView(info, waitedMillis(t.getId(), now)), wait.task != null, object,
                SelfWaits.call(wait, info)), AgentStats.Hazard.SELF_WAIT);
        return true;
    }

    /** The workers' stacks, on one snapshot of them; @return false when a wait ended meanwhile */
    private boolean reportStarvedPool(ThreadMXBean mx, PoolStarvation.Starved starved, long now) {
        List<Thread> workers = new ArrayList<>(starved.waits.keySet());
        long[] ids = new long[workers.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = workers.get(i).getId();
        ThreadInfo[] infos = withStacks(mx, ids);
        List<ThreadView> views = new ArrayList<>();
        List<String> futures = new ArrayList<>();
        List<String> queuedTasks = new ArrayList<>();
        for (int i = 0; i < infos.length; i++) {
            if (infos[i] == null || !episodes.get(ids[i]).same(infos[i])) return false;
            views.add(new ThreadView(infos[i], waitedMillis(ids[i], now)));
            PoolStarvation.Wait wait = starved.waits.get(workers.get(i));
            futures.add(LockRef.of(wait.future, null).name());
            queuedTasks.add(LockRef.of(wait.queuedTask, null).name());
        }
        // Not the pool's toString(), which takes its main lock (and a subclass's may do anything).
        addHazard(new PoolStarvationFinding(LockRef.of(starved.pool, null).name(), starved.corePoolSize,
                starved.maximumPoolSize, starved.queued, views, futures, queuedTasks), AgentStats.Hazard.POOL_STARVATION);
        return true;
    }

    // ---- publishing ----

    /** @return false when over the cap (counted) */
    private boolean addHazard(HangFinding finding, AgentStats.Hazard kind) {
        if (hazardCount >= MAX_FINDINGS) {
            AgentStats.hangFindingsDropped.incrementAndGet();
            return false;
        }
        finding.number(++hazardCount);
        AgentStats.hazardFound(kind);
        report.addHazard(finding);
        return true;
    }
}
