package io.lockwatch.runtime.track;

import io.lockwatch.runtime.graph.Edge;
import io.lockwatch.runtime.graph.LockNode;
import io.lockwatch.runtime.graph.LockOrderGraph;
import io.lockwatch.runtime.graph.Occurrence;
import io.lockwatch.runtime.graph.SegmentGraph;
import io.lockwatch.runtime.util.InternalErrors;
import java.util.concurrent.locks.StampedLock;
import jdk.internal.vm.annotation.DontInline;

/**
 * One thread's view: the locks it holds, in the order it took them, and whether lockwatch itself is
 * running on it. Only its own thread touches it, so nothing here is synchronized.
 */
final class ThreadState {
    /** Most locks one thread can hold that we track; deeper ones are counted, not tracked. */
    static final int MAX_HELD = 256;

    final long threadId;
    /** Set once the thread has taken a java.util.concurrent lock: see {@link ThreadRegistry#register}. */
    boolean registered;
    /** Set once the registry watches the thread (from its first lock on JDK 21+, else its first java.util.concurrent lock): {@link ThreadRegistry}. */
    boolean watched;
    /**
     * The thread this thread joined last where either is virtual ({@link ThreadCalls#joining}), or null. A join of a
     * virtual thread parks on its termination latch, which the registry's sweep looks at while the thread holds
     * nothing only while the joined thread waits too, since only then can the join be part of a hang (virtual threads
     * that join each other). A virtual thread's join of a platform thread waits in {@code Object.wait} on that thread,
     * which the hang detector ties to it by this field ({@link LockStack#joined}). Kept until the next such join: at
     * most one thread per live thread.
     */
    Thread joined;
    /**
     * How many times this virtual thread has parked, slept or unmounted ({@link ThreadCalls#parking}) while the lookup
     * cache held this state: the hang detector's count of its waits, which no snapshot of the JVM counts. Written by the
     * thread, or by its carrier while it is unmounted (never both at once), read by the detector without a fence: a
     * count seen changed is a new wait; one missed leaves one longer wait.
     */
    int parks;
    /** This thread's entry in the registry, or null (not watched, or over its cap). */
    ThreadRegistry.Entry entry;
    /** The thread (weakly): whose state this is, for the lookup by id, and for the registry to notice its end. */
    final java.lang.ref.WeakReference<Thread> thread;
    /** The thread's name, refreshed by the registry while it lives (the Thread may be collected after). */
    volatile String threadName;
    /** The re-entrancy guard: true while lockwatch's own code runs on this thread, or for our own threads. */
    boolean busy;
    /** Tracking has stopped and failed on this thread since: {@link #busy} stays set for good (see {@link #retire}). */
    private boolean retired;
    /**
     * This thread's stacks are walked, not taken whole from a Throwable: they ran deeper than
     * {@link StackCapture#deepFrom}, or the JVM cut one short (or keeps none in Throwables).
     */
    boolean walksStacks;
    /** Nesting of {@link LockTracker#enterAgentCode()} (a class transformed while another one is). */
    private int agentDepth;
    private boolean busyBeforeAgentCode;

    // The held-lock stack, as parallel arrays (no object per acquisition). Empty until the first push, which
    // grows them as it grows a full stack (the test is the push's own): a thread that only starts and joins others
    // (a virtual thread that forks tasks) gets a state all the same, and many threads only ever take leaf locks.
    private Object[] held = NO_OBJECTS;       // what was locked: the monitor, or the Lock object
    private Object[] identity = NO_OBJECTS;   // the lock in the graph when it is not what was locked (a
                                              // read/write lock's shared sync), else null: one GC barrier less
    private LockNode[] nodes = NO_NODES;      // resolved on first need, then reused
    /**
     * The rest of each entry in one long, so that a push is two stores and the pop of a lock held once reads
     * one value: the site (high 32 bits), the mode (8 bits), whether {@code identity} or {@code nodes} has an
     * entry at this index ({@link #EXTRA}), and the count of re-entrant holds (the low 23 bits).
     */
    private long[] meta = NO_LONGS;
    private int size;
    private static final int MODE_SHIFT = 24;
    private static final long EXTRA = 1L << 23;
    /** At most 2^23 - 1 holds of one lock are counted; further re-entries are counted as overflow. */
    private static final long COUNT = EXTRA - 1;
    /** Scratch for {@link #checkOrder}: the held locks' ids, sorted. Reused, so the fast path allocates nothing. */
    private long[] heldIds = NO_LONGS;
    /**
     * The stamp each {@code StampedLock} entry was taken with (0: none, as through a view), parallel to the stack;
     * made on the first stamp, as most threads never take a StampedLock. Tells whether a hold is still in place when
     * the stamp may have been handed to another thread to unlock ({@link StampedHolds}).
     */
    private long[] stamps;
    private static final long[] NO_GATES = new long[0];
    private static final Object[] NO_OBJECTS = new Object[0];
    private static final LockNode[] NO_NODES = new LockNode[0];
    private static final long[] NO_LONGS = new long[0];
    /** Entries of the held-lock stack made at its first push: a thread seldom holds more at once. */
    private static final int FIRST_CAPACITY = 4;
    /** Made on the first new edge: most threads never have one, and it is most of a state's size (4 KB). */
    private StackCache stacks;
    private final KnownPairs knownPairs = new KnownPairs();
    /** The nodes this thread looked up last (weak, so they keep no lock alive); made at the first lookup. */
    private LockNode[] recentNodes = NO_NODES;
    private int recentNext;

    /**
     * The thread's current segment in the happens-before graph; changes only at start and join. Looked up
     * on first need, not in the constructor: the lookup runs instrumented JDK code, which would come back
     * for this very state while the thread-local is still being created. A copy of {@link #published}'s,
     * read on the lock paths without going through it.
     */
    private long segment;
    /** Where the thread's children and joiners find its segment; null until the first need. */
    private SegmentGraph.ThreadSegment published;

    ThreadState(Thread thread) {
        this.threadId = thread.getId();
        this.thread = new java.lang.ref.WeakReference<>(thread);
    }

    /** Call only while {@link #busy}. */
    long segment() {
        if (segment == 0) {
            published = SegmentGraph.firstSegmentOf(threadId);
            segment = published.segment();
        }
        return segment;
    }

    /** At a start or join, after {@link #segment()}: the new segment, where its children and joiners find it. */
    void segment(long newSegment) {
        segment = newSegment;
        SegmentGraph.moveTo(published, newSegment);
    }

    void enterAgentCode() {
        if (agentDepth++ == 0) {
            busyBeforeAgentCode = busy;
            busy = true;
        }
    }

    void exitAgentCode() {
        if (agentDepth > 0 && --agentDepth == 0) endBusy(busyBeforeAgentCode);
    }

    /** Ends a stretch of lockwatch's own work on this thread that began when {@link #busy} was {@code wasBusy}. */
    void endBusy(boolean wasBusy) {
        busy = wasBusy || retired;
    }

    /**
     * A tracking path failed on this thread after tracking stopped. The stop reaches every lookup of a state,
     * but not a method already running that hands its lock sites this one (see {@code LockTracker.state}): its
     * sites would fail again at every lock for as long as it runs. Busy for good, as lockwatch's own threads
     * are, this state makes every one of them do nothing; the restores of {@link #busy} keep it set.
     */
    void retire() {
        retired = true;
        busy = true;
    }

    int indexOf(Object lock) {
        for (int i = size - 1; i >= 0; i--) {
            if (held[i] == lock) return i;
        }
        return -1;
    }

    /**
     * The thread takes {@code lock}: one more hold if it has it already (re-entry is never an edge), else
     * the order check and the push.
     *
     * @return whether the thread did not hold it yet
     */
    boolean acquiring(LockOrderGraph graph, Object lock, Object lockIdentity, byte mode, int site,
                      boolean nonBlocking, int stackDepth) {
        if (reentered(lock)) return false;
        push(lock, lockIdentity, mode, site, checkOrder(graph, lock, lockIdentity, mode, site, nonBlocking, stackDepth));
        return true;
    }

    /**
     * The thread takes an exclusive lock (a monitor, a {@code ReentrantLock}) inside which it can take
     * nothing else (see {@link LockTracker#leafEntry}): the order check without the push. A re-entry
     * counts one more hold of the entry already there, as for any lock, so that the release balances it.
     *
     * <p>Inside a nest of the same method ({@code outer} not null, see
     * {@link LockTracker#leafMonitorEnterUnder}) the nest's lock is held but not on the stack: when nothing
     * else is held, the pair is one memo probe; otherwise the nest's lock goes on the stack for the check,
     * and off again.
     *
     * @return whether the thread did not hold it yet
     */
    boolean acquiringLeaf(LockOrderGraph graph, Object lock, Object outer, int site, int outerSite, int stackDepth) {
        if (lock == outer) {
            reentered(lock); // the nest's own lock again: one more hold if it is on the stack (taken further out)
            return false;
        }
        if (reentered(lock)) return false;
        if (outer == null) {
            checkOrder(graph, lock, lock, Occurrence.EXCLUSIVE, site, false, stackDepth);
            return true;
        }
        if (size == 0 && knownPairs.taken(StackCache.key(outerSite, site), outer, lock,
                KnownPairs.kind(Occurrence.EXCLUSIVE, Occurrence.EXCLUSIVE, false), segment)) {
            return true;
        }
        checkWithOuterHeld(graph, lock, outer, site, outerSite, stackDepth);
        return true;
    }

    /** Out of line: pushing and popping the nest's lock stays out of the code compiled at lock sites. */
    @DontInline
    private void checkWithOuterHeld(LockOrderGraph graph, Object lock, Object outer, int site, int outerSite, int stackDepth) {
        boolean held = holdForCheck(outer, outerSite);
        try {
            checkOrder(graph, lock, lock, Occurrence.EXCLUSIVE, site, false, stackDepth);
        } finally {
            if (held) released(outer);
        }
    }

    /**
     * Puts a nest's lock on the stack, unless it is there already (taken further out, or put there before).
     * For an order check it comes off again with {@link #released}; for a lock inside the nest that
     * is no leaf at run time, it stays until the nest's own release (see {@code LockTracker.lockUnder}).
     *
     * @return whether it was put there now
     */
    boolean holdForCheck(Object outer, int outerSite) {
        if (outer == null || indexOf(outer) >= 0) return false;
        int before = size;
        push(outer, outer, Occurrence.EXCLUSIVE, outerSite, null);
        return size > before;
    }

    /**
     * Adds the edges held -> lock that this thread has not taken in this way before; nothing, not even a
     * lookup, when nothing is held (most acquisitions). The common case, every edge already known, costs a
     * node lookup and a short scan per held lock: no allocation, no lock; a pair of locks nested the same
     * way as last time at the same two sites costs one table probe, done here in a method short enough for
     * the JIT to inline.
     *
     * @return the lock's node when the full check looked it up, else null (resolved on need)
     */
    LockNode checkOrder(LockOrderGraph graph, Object lock, Object lockIdentity, byte mode, int site,
                        boolean nonBlocking, int stackDepth) {
        if (size == 0) return null;
        if (size == 1) { // unknown sites and an unknown segment simply miss: see KnownPairs.taken
            long first = meta[0];
            // A hit returns no node: the push then stores no reference (each costs a G1 barrier with a memory
            // fence), and the slow path finds the nodes again in recentNodes should it ever need them.
            if (knownPairs.taken(StackCache.key(siteOf(first), site), identityAt(0), lockIdentity,
                    KnownPairs.kind(modeOf(first), mode, nonBlocking), segment)) {
                return null;
            }
        }
        return checkOrderFully(graph, lock, lockIdentity, mode, site, nonBlocking, stackDepth);
    }

    /**
     * The full check. It sets {@link #busy} meanwhile, so JDK code reached from here is not tracked.
     *
     * <p>Never inlined (HotSpot honours {@code @DontInline} in boot class path code, as ours is). Where
     * locks are often new, as in a database that locks each transaction's objects, this path is hot, and
     * C2 would inline it with all it calls into {@code monitorEnter} and into every compiled method with a
     * lock site: measured in H2, one 1.3 s compilation of {@code monitorEnter} (72 KB of machine code) that
     * held up the compile queue so long that none of H2's own hot methods reached C2 during the run.
     * Compiled on its own, it is compiled once, and the code at each lock site stays the fast path only.
     */
    @DontInline
    private LockNode checkOrderFully(LockOrderGraph graph, Object lock, Object lockIdentity, byte mode, int site,
                                     boolean nonBlocking, int stackDepth) {
        if (stamps != null) {
            forgetStampedHoldsGone();
            if (size == 0) return null;
        }
        // One lock inside two others: remembered once checked (KnownPairs), probed here rather than at the lock sites.
        long heldSites = size == 2 && site != CallSites.UNKNOWN && siteAt(0) != CallSites.UNKNOWN
                && siteAt(1) != CallSites.UNKNOWN ? StackCache.key(siteAt(0), siteAt(1)) : 0;
        if (heldSites != 0 && knownPairs.takenInside(heldSites, site, identityAt(0), identityAt(1),
                lockIdentity, KnownPairs.kind(modeAt(0), modeAt(1), mode, nonBlocking), segment)) {
            return null;
        }
        if (InternalErrors.isTrackingStopped()) return null; // stopped while this thread's methods still pass on its state
        LockNode to = null;
        boolean wasBusy = busy;
        busy = true; // whatever JDK code we reach from here must not come back in
        try {
            // One lock inside one other: remembered once checked (see KnownPairs and checkOrder).
            long pair = size == 1 && site != CallSites.UNKNOWN && siteAt(0) != CallSites.UNKNOWN
                    ? StackCache.key(siteAt(0), site) : 0;
            to = nodeOf(graph, lock, lockIdentity);
            if (to == null) return null;
            int heldCount = sortedHeldIds(graph);
            StackTraceElement[] now = null;
            for (int i = 0; i < size; i++) {
                LockNode from = nodeAt(graph, i);
                if (from == null || from == to) continue;
                Edge edge = LockNode.edgeBetween(from, to);
                if (edge != null && edge.knows(threadId, segment(), modeAt(i), mode, nonBlocking, heldIds, heldCount)) continue;
                now = recordNew(graph, from, to, i, mode, site, nonBlocking, heldCount, stackDepth, now);
            }
            if (pair != 0 && nodes[0] != null && nodes[0] != to) {
                knownPairs.remember(pair, nodes[0], to, KnownPairs.kind(modeAt(0), mode, nonBlocking), segment());
            }
            if (heldSites != 0 && nodes[0] != null && nodes[1] != null) {
                knownPairs.rememberInside(heldSites, site, nodes[0], nodes[1], to,
                        KnownPairs.kind(modeAt(0), modeAt(1), mode, nonBlocking), segment());
            }
        } catch (Throwable e) {
            TrackingFailures.record("lock-order check", e);
        } finally {
            endBusy(wasBusy);
        }
        return to;
    }

    /**
     * A new occurrence of held lock {@code i} -> {@code to}: its stacks, walked once per pair of sites (see
     * {@link StackCache}), then into the graph.
     *
     * @return the current stack if it was walked (or as passed in), for the next new edge of the same check
     */
    @DontInline // allocates and updates the graph anyway; inlined, it was most of checkOrderFully's C2 time
    private StackTraceElement[] recordNew(LockOrderGraph graph, LockNode from, LockNode to, int i, byte mode, int site,
                                          boolean nonBlocking, int heldCount, int stackDepth, StackTraceElement[] now) {
        long sitePair = StackCache.key(siteAt(i), site);
        if (stacks == null) stacks = new StackCache();
        StackTraceElement[] heldStack = stacks.held(sitePair);
        StackTraceElement[] takenStack = stacks.taken(sitePair);
        if (heldStack == null || site == CallSites.UNKNOWN) {
            if (now == null) now = StackCapture.current(stackDepth, this);
            heldStack = StackCapture.heldAt(siteAt(i), now);
            takenStack = now;
            stacks.put(sitePair, heldStack, takenStack);
        }
        String name = Thread.currentThread().getName();
        byte heldMode = modeAt(i);
        Occurrence[] taken = stacks.occurrence(sitePair);
        if (taken == null || !taken[0].takenSameWay(name, segment(), heldMode, mode, nonBlocking, heldStack, takenStack)
                || !gatesAre(taken[0].gates, from.id, heldCount)) {
            taken = new Occurrence[] {new Occurrence(threadId, name, heldMode, mode, nonBlocking,
                    gatesBesides(from.id, heldCount), segment(), heldStack, takenStack)};
            stacks.occurrence(sitePair, taken);
        }
        graph.record(from, to, taken);
        return now;
    }

    /** Are {@code gates} the held locks' ids besides {@code fromId} (what {@link #gatesBesides} would make)? */
    private boolean gatesAre(long[] gates, long fromId, int heldCount) {
        int n = 0;
        for (int i = 0; i < heldCount; i++) {
            long id = heldIds[i];
            if (id == fromId) continue;
            if (n == gates.length || gates[n++] != id) return false;
        }
        return n == gates.length;
    }

    /**
     * The node of a lock: first from the few this thread used last (compared by identity, no hashing),
     * then from the registry. A loop that takes the same locks again and again never hashes them, which
     * matters because hashing a monitor the thread holds is slow on JDK 17 (it inflates the monitor).
     */
    private LockNode nodeOf(LockOrderGraph graph, Object lock, Object lockIdentity) {
        byte part = LockKinds.part(lock, lockIdentity);
        for (LockNode recent : recentNodes) {
            if (recent != null && recent.get() == lockIdentity && recent.part == part) return recent;
        }
        return nodeFromGraph(graph, lock, lockIdentity, part);
    }

    /**
     * Out of line: the registry's lookup and insert would otherwise be compiled into the order check twice
     * (for the lock taken and for each held lock), doubling the largest compilation of the slow path.
     */
    @DontInline
    private LockNode nodeFromGraph(LockOrderGraph graph, Object lock, Object lockIdentity, byte part) {
        LockNode node = graph.node(lockIdentity, LockKinds.className(lock, lockIdentity, part), part);
        if (node != null) {
            if (recentNodes.length == 0) recentNodes = new LockNode[4];
            recentNodes[recentNext] = node;
            recentNext = (recentNext + 1) & (recentNodes.length - 1);
        }
        return node;
    }

    /**
     * Fills {@link #heldIds} with the ids of the held locks that can be gates (mutually exclusive ones: not a
     * map's bins), sorted, without duplicates; returns the count.
     */
    private int sortedHeldIds(LockOrderGraph graph) {
        if (heldIds.length < size) heldIds = new long[held.length];
        int count = 0;
        for (int i = 0; i < size; i++) {
            LockNode node = nodeAt(graph, i);
            if (node == null || !node.isMutuallyExclusive()) continue;
            long id = node.id;
            int at = count; // insertion sort: a thread holds a handful of locks
            while (at > 0 && heldIds[at - 1] > id) at--;
            if (at > 0 && heldIds[at - 1] == id) continue;
            System.arraycopy(heldIds, at, heldIds, at + 1, count - at);
            heldIds[at] = id;
            count++;
        }
        return count;
    }

    /** The gate locks of a new occurrence: every held lock but {@code fromId}. Slow path only. */
    private long[] gatesBesides(long fromId, int heldCount) {
        if (heldCount <= 1) return NO_GATES;
        long[] gates = new long[heldCount - 1];
        int n = 0;
        for (int i = 0; i < heldCount; i++) {
            if (heldIds[i] != fromId && n < gates.length) gates[n++] = heldIds[i];
        }
        return n == gates.length ? gates : java.util.Arrays.copyOf(gates, n);
    }

    private LockNode nodeAt(LockOrderGraph graph, int i) {
        LockNode node = nodes[i];
        if (node == null) {
            node = nodeOf(graph, held[i], identityAt(i));
            if (node != null) {
                nodes[i] = node;
                meta[i] |= EXTRA;
            }
        }
        return node;
    }

    /** If the thread holds {@code lock} already, counts one more hold and returns true. */
    boolean reentered(Object lock) {
        int i = indexOf(lock);
        if (i < 0) return false;
        long m = meta[i];
        if ((m & COUNT) != COUNT) {
            meta[i] = m + 1;
        } else {
            LockTracker.heldOverflow.incrementAndGet(); // its releases will forget it early: counted here
        }
        return true;
    }

    /** The thread now holds {@code lock}, which it did not hold; {@code node} may be null (resolved on need). */
    void push(Object lock, Object lockIdentity, byte mode, int site, LockNode node) {
        if (size == held.length) {
            if (size >= MAX_HELD) {
                LockTracker.heldOverflow.incrementAndGet();
                return;
            }
            grow();
        }
        held[size] = lock;
        // Slots above the top are kept null, so most pushes store only the lock: one GC barrier, not three.
        long m = (long) site << 32 | (mode & 0xFFL) << MODE_SHIFT | 1;
        if (lockIdentity != lock) {
            identity[size] = lockIdentity;
            m |= EXTRA;
        }
        if (node != null) {
            nodes[size] = node;
            m |= EXTRA;
        }
        meta[size] = m;
        size++;
    }

    /**
     * A release at an instrumented site: nothing to do while the thread holds nothing (one load, the common
     * case: every leaf's release), nor while lockwatch itself runs on it.
     */
    void releasing(Object lock) {
        if (size != 0 && !busy) released(lock);
    }

    /**
     * The thread releases {@code lock} once. Locks may be released in any order; the last taken is quickest.
     *
     * <p>The lock is only compared here, and the rest ({@link #releasedAt}) does not get it: where C2 does not
     * inline the rest (a site where the thread held nothing so far), it can still prove from this method's
     * bytecode that the lock does not escape, and eliminate a lock that never leaves its thread (see
     * {@link LeafEntry}). Had the lock gone along, the whole method would have been too large for C2 to
     * analyse, and a lock passed to it counts as escaping.
     */
    void released(Object lock) {
        int top = size - 1;
        int i = top >= 0 && held[top] == lock ? top : indexOf(lock);
        if (i >= 0) releasedAt(i, top); // else taken before lockwatch started, or past MAX_HELD
    }

    private void releasedAt(int i, int top) {
        long m = meta[i];
        if ((m & COUNT) > 1) {
            meta[i] = m - 1;
            return;
        }
        // The top slot is emptied either way (the lock itself, or the shift below moved it down); its extra
        // bit says whether identity or nodes has anything there to clear.
        boolean topHasExtra = (meta[top] & EXTRA) != 0;
        int tail = top - i;
        if (tail > 0) {
            System.arraycopy(held, i + 1, held, i, tail);
            System.arraycopy(identity, i + 1, identity, i, tail);
            System.arraycopy(nodes, i + 1, nodes, i, tail);
            System.arraycopy(meta, i + 1, meta, i, tail);
            if (stamps != null) System.arraycopy(stamps, i + 1, stamps, i, tail);
        }
        size = top;
        held[top] = null; // do not keep the lock alive
        if (topHasExtra) {
            identity[top] = null;
            nodes[top] = null;
        }
    }

    int heldCount() {
        return size;
    }

    /**
     * A leaf taken outside a nest while the thread holds nothing: no order to check, no hold to count (a lock
     * not on the stack cannot be re-entered through it). One load, asked first at the leaf sites.
     */
    boolean nothingToCheck(Object outer) {
        return outer == null && size == 0;
    }

    /**
     * For the hang detector, on its own thread while this one runs on: a copy of the held-lock stack, or null
     * when it holds nothing. No lock and no fence on either side: each array is read once and the count kept
     * within them, so the copy can be stale or mid-change, never out of bounds; the detector believes only
     * what it sees again at its next check.
     */
    LockStack lockStack(Thread thread, Thread.State state) {
        Object[] h = held;
        Object[] ids = identity;
        long[] m = meta;
        int n = Math.min(size, Math.min(h.length, Math.min(ids.length, m.length)));
        if (n <= 0) return null;
        Object[] locks = new Object[n];
        Object[] identities = new Object[n];
        byte[] modes = new byte[n];
        int[] sites = new int[n];
        long[] stampsNow = stamps;
        long[] stampCopy = stampsNow != null ? new long[n] : null;
        for (int i = 0; i < n; i++) {
            Object lock = h[i];
            if (lock == null) return null; // a release was under way
            long mi = m[i];
            Object other = (mi & EXTRA) != 0 ? ids[i] : null;
            locks[i] = lock;
            identities[i] = other != null ? other : lock;
            modes[i] = modeOf(mi);
            sites[i] = siteOf(mi);
            if (stampCopy != null && i < stampsNow.length && lock instanceof StampedLock) {
                stampCopy[i] = stampsNow[i];
            }
        }
        return new LockStack(thread, this, state, locks, identities, modes, sites, stampCopy);
    }

    // Read by the detector only after the thread has terminated (its end happens-before isAlive() = false).
    Object heldAt(int i) {
        return held[i];
    }

    Object identityAt(int i) {
        if ((meta[i] & EXTRA) == 0) return held[i]; // nothing beside the lock at i: identity[] is not read
        Object other = identity[i];
        return other != null ? other : held[i];
    }

    byte modeAt(int i) {
        return modeOf(meta[i]);
    }

    int siteAt(int i) {
        return siteOf(meta[i]);
    }

    private static int siteOf(long meta) {
        return (int) (meta >>> 32);
    }

    private static byte modeOf(long meta) {
        return (byte) (meta >>> MODE_SHIFT);
    }

    private void grow() {
        int n = Math.max(FIRST_CAPACITY, held.length * 2);
        held = java.util.Arrays.copyOf(held, n);
        identity = java.util.Arrays.copyOf(identity, n);
        nodes = java.util.Arrays.copyOf(nodes, n);
        meta = java.util.Arrays.copyOf(meta, n);
        if (stamps != null) stamps = java.util.Arrays.copyOf(stamps, n);
    }

    // ---- StampedLock holds ----

    /**
     * Records the stamp of the {@code StampedLock} just pushed (nothing if it did not go on the stack: over the cap);
     * 0 for a hold through one of its views. Either way, from then on the order check looks for holds of the thread's
     * that other threads have unlocked ({@link #forgetStampedHoldsGone}).
     */
    void stampTop(Object lock, long stamp) {
        int top = size - 1;
        if (top < 0 || held[top] != lock) return;
        if (stamps == null) stamps = new long[held.length];
        stamps[top] = stamp;
    }

    /**
     * The stamp entry {@code i} was taken with, or 0 (not a StampedLock's, or taken through a view). Every push of a
     * StampedLock itself records its stamp, so the slot of one never holds another entry's.
     */
    long stampAt(int i) {
        long[] s = stamps;
        return s != null && i < s.length && held[i] instanceof StampedLock ? s[i] : 0;
    }

    /**
     * Whether entry {@code i} is a {@code StampedLock} hold (by stamp or through a view) that is no longer in place:
     * unlocked by another thread with the stamp this one handed it. False for any other lock.
     */
    boolean stampedHoldGone(int i) {
        Object lock = identityAt(i);
        return lock instanceof StampedLock
                && !StampedHolds.inPlace((StampedLock) lock, modeAt(i) == Occurrence.EXCLUSIVE, stampAt(i));
    }

    /** Does this thread hold a lock of this identity in the shared mode (a read/write lock's read lock)? */
    boolean holdsShared(Object lockIdentity) {
        return indexOfShared(lockIdentity) >= 0;
    }

    /** Forgets every shared hold of this identity: the lock says the thread holds none (released unseen). */
    void forgetShared(Object lockIdentity) {
        for (int i = indexOfShared(lockIdentity); i >= 0; i = indexOfShared(lockIdentity)) forget(i);
    }

    private int indexOfShared(Object lockIdentity) {
        for (int i = size - 1; i >= 0; i--) {
            if (identityAt(i) == lockIdentity && modeAt(i) == Occurrence.SHARED) return i;
        }
        return -1;
    }

    /**
     * Where this thread's stack has {@code lock} (held by a stamp or through a view), once a hold of it that is gone
     * is forgotten; -1 if not there.
     */
    int indexOfStillHeld(StampedLock lock) {
        int i = size - 1;
        while (i >= 0 && identityAt(i) != lock) i--;
        if (i < 0 || !stampedHoldGone(i)) return i;
        forget(i);
        return -1;
    }

    /** Forgets entry {@code i} whatever its count of holds: the lock is not held by this thread any more. */
    void forget(int i) {
        meta[i] = (meta[i] & ~COUNT) | 1;
        releasedAt(i, size - 1);
    }

    /**
     * Forgets the {@code StampedLock} holds that other threads unlocked with stamps handed to them, before the order
     * check records edges from what this thread holds: without this, each such lock would stay on the stack and
     * be an edge to every lock taken after it. Only threads that took a StampedLock (by its stamps or through a view)
     * pay more than a field read, and only on the check's slow path.
     */
    private void forgetStampedHoldsGone() {
        for (int i = size - 1; i >= 0; i--) {
            if (stampedHoldGone(i)) forget(i);
        }
    }
}
