package io.lockwatch.runtime.graph;

import io.lockwatch.runtime.report.JsonWriter;
import io.lockwatch.runtime.report.PotentialDeadlock;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import jdk.internal.vm.annotation.DontInline;

/**
 * The lock-order graph: a node per lock, an edge A -> B when a thread acquired B while holding A.
 *
 * <p>Application threads only add to it ({@link #record}); everything that costs time (cycle search,
 * deciding whether a cycle is a real potential deadlock, cleaning up collected locks) happens on the
 * detector thread in {@link #detect()}.
 */
public final class LockOrderGraph {
    /**
     * Most locks the graph tracks at once; beyond it, new locks are counted as dropped. Sized by memory: a
     * lock costs 68 bytes (node and bucket), 92 when it shares its bucket (a registry entry), so the cap
     * is at most 46 MiB.
     */
    public static final int MAX_LOCKS = 1 << 19;
    /**
     * Most edges the graph keeps at once; beyond it, new edges are counted as dropped. An edge costs 24 bytes
     * plus its slot and its occurrences, which new edges taken the same way share: about 16 MiB at the cap
     * when they do. Locks and edges at their caps stay under 64 MiB (the memory bench: +53 MiB after the
     * loop's collection, ninth round).
     */
    public static final long MAX_EDGES = 1L << 19;
    /** Most potential deadlocks reported per run; more are counted. */
    public static final int MAX_FINDINGS = 1000;
    /** The lowest caps, for the smallest heaps: detection goes on, over fewer locks at once. */
    static final int MIN_LOCKS = 1 << 12;
    /** What a lock and an edge cost together at most: the caps of 2^19 come to 64 MiB. */
    private static final long BYTES_PER_LOCK_AND_EDGE = 128;
    /** The share of the heap the graph may take at its caps. */
    private static final int HEAP_SHARE_DIVISOR = 16;

    private final LockRegistry registry;
    private final int maxLocks;
    private final long maxEdges;
    private final ConcurrentLinkedQueue<Edge> changed = new ConcurrentLinkedQueue<>();
    private final Consumer<PotentialDeadlock> findings;
    private volatile Runnable wakeDetector = LockRegistry.NOTHING;
    /** Set when the detector has been woken and has not drained the queue yet: one wake-up per batch. */
    private final java.util.concurrent.atomic.AtomicBoolean wakeupPending = new java.util.concurrent.atomic.AtomicBoolean();

    private final AtomicLong edgesLive = new AtomicLong();
    private final AtomicLong edgesCreated = new AtomicLong();
    private final AtomicLong edgesDropped = new AtomicLong();
    private final AtomicLong occurrencesDropped = new AtomicLong();
    private final AtomicLong occurrencesRecorded = new AtomicLong();
    private final AtomicLong cycleSearches = new AtomicLong();
    private final AtomicLong cycleSearchesCapped = new AtomicLong();
    private final AtomicLong findingsDropped = new AtomicLong();
    private final AtomicLong cycleSearchesSkipped = new AtomicLong();

    /** Cycle searches of a backlog between two purges of collected locks. */
    private static final int SEARCHES_PER_PURGE = 4096;

    /** Set when collected locks were expunged since the last full clean, or edges were added during it. */
    private volatile boolean pruneNeeded;
    /**
     * Locks removed by application threads (evicted or purged at a cap) as the last clean began its walk: when more
     * have been since, the next clean walks again (see {@link #clean}). Detector thread only.
     */
    private long removedOnDemandAtWalk;

    // Touched only inside detect(), which is synchronized: the detector thread and the shutdown hook.
    private final Set<String> reportedCycles = new HashSet<>();
    private int findingCount;

    /**
     * A registry with a bucket per lock at the cap (2 MiB of buckets): a new lock's lookup walks its whole
     * chain, each entry a cache miss, and a registry near its cap is common (short-lived locks that the GC
     * has not cleared yet). Half as many buckets made each new lock cost 4% more CPU in the bench's fresh
     * case, which runs at the cap (ninth round).
     */
    public LockOrderGraph(Consumer<PotentialDeadlock> findings) {
        this(findings, capFor(Runtime.getRuntime().maxMemory()));
    }

    private LockOrderGraph(Consumer<PotentialDeadlock> findings, int cap) {
        this(findings, cap, cap, cap);
    }

    /**
     * The cap on locks, and on edges, for a heap of at most that many bytes: {@link #MAX_LOCKS} from a 1 GiB
     * heap up; below, halved until the graph at its caps takes at most a sixteenth of the heap (a 64 MiB heap:
     * 32,768 locks, 4 MiB), and never under {@link #MIN_LOCKS}. At the full caps in a small heap the graph took
     * most of it: a program that runs in 64 MiB with 600,000 live locks ran out of memory under the agent.
     * Past the cap the graph makes room as it does at any cap (the locks not looked up for longest go).
     *
     * @param maxHeapBytes {@link Runtime#maxMemory}: the heap as {@code -Xmx} sets it, less a survivor space with
     *                     the serial and parallel collectors (-Xmx1g: 990 and 910 MiB), which is why it is taken a
     *                     quarter larger here; without that, the same {@code -Xmx} gave those collectors half the
     *                     caps that G1, ZGC and Shenandoah get
     */
    static int capFor(long maxHeapBytes) {
        long heap = maxHeapBytes > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : maxHeapBytes + maxHeapBytes / 4;
        int cap = MAX_LOCKS;
        while (cap > MIN_LOCKS && cap * BYTES_PER_LOCK_AND_EDGE > heap / HEAP_SHARE_DIVISOR) cap >>= 1;
        return cap;
    }

    /** A graph with other caps (tests). */
    LockOrderGraph(Consumer<PotentialDeadlock> findings, int buckets, int maxLocks) {
        this(findings, buckets, maxLocks, MAX_EDGES);
    }

    /** A graph with other caps, the edges' too (tests). */
    LockOrderGraph(Consumer<PotentialDeadlock> findings, int buckets, int maxLocks, long maxEdges) {
        this.findings = findings;
        this.registry = new LockRegistry(buckets, maxLocks);
        this.maxLocks = maxLocks;
        this.maxEdges = maxEdges;
        registry.countEdgesIn(edgesLive);
    }

    /** What wakes the detector: new edges to search, or a registry past half its cap that wants a purge. */
    public void onChange(Runnable wakeDetector) {
        this.wakeDetector = wakeDetector;
        registry.onPurgeWanted(wakeDetector);
    }

    /** @return the node of a lock, or null when the graph is full */
    public LockNode node(Object identity, String className) {
        return registry.nodeFor(identity, className, LockNode.WHOLE);
    }

    /** @return the node of one of an object's locks ({@link LockNode#part}), or null when the graph is full */
    public LockNode node(Object identity, String className, byte part) {
        return registry.nodeFor(identity, className, part);
    }

    /** Records a new occurrence of from -> to, shared with no other edge (tests and benchmarks). */
    public void record(LockNode from, LockNode to, Occurrence occurrence) {
        record(from, to, new Occurrence[] {occurrence});
    }

    /**
     * Records a new occurrence of from -> to, {@code taken[0]}. Called on the application thread, only after
     * the caller's fast check ({@link Edge#knows}) said the occurrence is new. The array is what a new edge
     * keeps as its occurrences: the caller hands the same one to every edge it takes the same way (a thread
     * locking fresh objects at the same two sites), so such edges share it (arrays here are never written
     * after publication). Compiled on its own rather than into the order check's slow path: inlined there,
     * with all it calls, it made that one of the JIT's largest compilations in the H2 bench (up to 0.5 s of
     * C2 time, 30 KB of machine code).
     */
    @DontInline
    public void record(LockNode from, LockNode to, Occurrence[] taken) {
        Occurrence occurrence = taken[0];
        occurrencesRecorded.incrementAndGet();
        // A lock that only this thread has used cannot be on a deadlock's cycle yet (see LockNode.usedOnlyBy),
        // so the edges into it stay parked on it, even once it has edges out: a fresh object that takes other
        // locks while it is held (a file channel, a stream) adds nothing to the edges of the long-lived locks it
        // was taken under. A lock that two threads have used is published, edges out or not (an edge of its own
        // parked on another lock may join it later): the edges parked on it move to their sources, where a
        // search of this edge, or of a later one, sees every way into it (see LockNode, "parked").
        long thread = occurrence.threadId;
        boolean fromAlone = from.usedOnlyBy(thread);
        boolean toAlone = to.usedOnlyBy(thread);
        if (!fromAlone) publish(from);
        if (!toAlone) publish(to);
        Edge edge = edgeFor(from, to, taken);
        if (edge == null) return;
        if (edge.add(occurrence, taken)) {
            if (to.isPublished()) keepIfMerged(edge, occurrence);
            // A cycle through from -> to needs a path out of to. If there is none yet, the edge that will
            // make one is searched when it comes, and that search walks through this edge: nothing to do.
            // Nor while either lock is this thread's alone: a cycle through it needs another thread's edge
            // with it, searched when that comes.
            if (((fromAlone || toAlone) && !secondThreadCameMeanwhile(from, to)) || !to.hasEdges()) {
                cycleSearchesSkipped.incrementAndGet();
                return;
            }
            changed.offer(edge);
            // Waking a parked thread is a system call: once per batch of edges, not once per edge.
            if (!wakeupPending.get() && wakeupPending.compareAndSet(false, true)) wakeDetector.run();
        } else {
            occurrencesDropped.incrementAndGet();
        }
    }

    /**
     * Have both locks been used by a second thread since this thread found one of them its own? That thread
     * may have recorded the edge that makes this one part of a cycle before this one was in the graph, and
     * its search missed it: this edge is searched after all, and the locks published first (if the other
     * thread has not yet). Both marks are volatile, so one of the two threads sees the other's.
     */
    private boolean secondThreadCameMeanwhile(LockNode from, LockNode to) {
        if (!from.usedBySeveral() || !to.usedBySeveral()) return false;
        publish(from);
        publish(to);
        return true;
    }

    /**
     * The edge from -> to that is to take the new occurrence: the one there, or a new one, never a shared
     * parked edge (a lock that has one gets its own copy). Null when nothing more is to be done: the edge
     * was new and is now parked as a shared one with its occurrence, or the graph is full (counted).
     */
    private Edge edgeFor(LockNode from, LockNode to, Occurrence[] taken) {
        while (true) {
            Edge edge = LockNode.edgeBetween(from, to);
            if (edge == null) {
                if (edgesLive.get() >= maxEdges && !roomForEdges()) {
                    edgesDropped.incrementAndGet();
                    return null;
                }
                if (parkShared(from, to, taken)) {
                    countNewEdge();
                    cycleSearchesSkipped.incrementAndGet(); // parked: to has no edge out, or is this thread's alone
                    return null;
                }
                if (LockNode.edgeBetween(from, to) != null) continue; // another thread added it meanwhile
                // to has an edge out, or is taken under many locks: the edge is its source's.
                publish(to);
                Edge fresh = new Edge(from, to);
                edge = addToSource(fresh);
                if (edge == fresh) countNewEdge();
            }
            if (!edge.isShared()) return edge;
            Edge own = to.ownCopyOf(edge);
            if (own != null) return own;
            // The parked edges changed meanwhile: look again.
        }
    }

    /**
     * The edges are at their cap. Many may belong to locks the GC has collected and the detector has not
     * purged yet (their edges go with them): a thread that locks fresh objects fast can fill the cap between
     * two of its rounds. So this thread purges some itself first, as a new lock does at the locks' cap. When the
     * locks are alive, it then evicts the locks not looked up for longest, as a new lock does too: their edges out
     * stop counting with them. Without that, a graph full of live locks' edges refused every new edge until the
     * detector's next clean, and an inversion taken meanwhile was never seen (a small heap's caps: 32,768).
     *
     * @return whether there is room now
     */
    @DontInline
    private boolean roomForEdges() {
        registry.purgeOnDemand();
        if (edgesLive.get() < maxEdges) return true;
        registry.evictOnDemand();
        return edgesLive.get() < maxEdges;
    }

    /** Created first, then live: the order {@link #clean} relies on not to lose an edge counted as it sets the count. */
    private void countNewEdge() {
        edgesCreated.incrementAndGet();
        edgesLive.incrementAndGet();
    }

    /**
     * Parks the new edge from -> to, the one way an edge is parked: as the shared edge of this way of taking
     * ({@code taken}, which the caller hands out again for the next lock taken the same way). The set of
     * parked edges that results comes from {@link #parkedWays} when a lock taken the same way under the same
     * locks made it before, and then nothing is allocated.
     *
     * @return false when {@code to} is published or has too many parked, or another thread parked an edge
     *     from {@code from} meanwhile: the caller looks again
     */
    private boolean parkShared(LockNode from, LockNode to, Occurrence[] taken) {
        int slot = wayIndex(from, taken);
        while (true) {
            Object before = to.parkedShape();
            if (LockNode.isPublished(before)) return false;
            ParkedWay way = parkedWays[slot];
            Object after;
            if (way != null && way.before == before && way.from == from && way.taken == taken) {
                after = way.after;
            } else {
                if (LockNode.parkedFrom(before, from) != null) return false;
                after = LockNode.withParked(before, new Edge(from, null, taken));
                if (after == null) return false;
                // Remembered only for a set that other locks can have too, and a source that has been around a
                // while: a lock created a moment ago (locks nested in pairs, both new) is rarely a source again.
                if (LockNode.allShared(before) && registry.createdCount() - from.id > SHORT_LIVED) {
                    parkedWays[slot] = new ParkedWay(before, from, taken, after);
                }
            }
            if (to.replaceParked(before, after)) return true;
        }
    }

    private static int wayIndex(LockNode from, Occurrence[] taken) {
        long h = (from.id + System.identityHashCode(taken)) * 0x9E3779B97F4A7C15L;
        return (int) (h >>> (64 - PARKED_WAYS_BITS));
    }

    /**
     * One way of parking: locks whose parked edges were {@code before} get {@code after}, the same set
     * plus the shared edge from {@code from} with occurrences {@code taken}. Immutable, so the table of them
     * is read and written without locking: a lost or stale entry only costs an allocation.
     */
    private static final class ParkedWay {
        final Object before;
        final LockNode from;
        final Occurrence[] taken;
        final Object after;

        ParkedWay(Object before, LockNode from, Occurrence[] taken, Object after) {
            this.before = before;
            this.from = from;
            this.taken = taken;
            this.after = after;
        }
    }

    private static final int PARKED_WAYS_BITS = 10;
    /** Recent ways of parking, direct-mapped by source and occurrences (1,024 entries, racy on purpose). */
    private final ParkedWay[] parkedWays = new ParkedWay[1 << PARKED_WAYS_BITS];
    /** Locks created since a source, under which its way of parking is not remembered (see {@link #parkShared}). */
    private static final long SHORT_LIVED = 1024;

    /**
     * The edge just given an occurrence was parked, and published meanwhile into a source that had got an
     * edge of its own from another thread: the publisher merged the occurrences it saw, and this one must
     * not stay on the edge it left behind. Three threads at once on one pair of locks; a map lookup otherwise.
     */
    private static void keepIfMerged(Edge edge, Occurrence occurrence) {
        Edge inGraph = edge.from.edgeTo(edge.to);
        if (inGraph != null && inGraph != edge) inGraph.add(occurrence);
    }

    /** Adds an edge to its source's edges, pruning them if they have grown: @return the one in the graph (another thread's, if it won) */
    private Edge addToSource(Edge candidate) {
        Edge edge = candidate.from.addEdge(candidate.to, candidate);
        if (edge == candidate) {
            int pruned = candidate.from.pruneIfGrown();
            if (pruned > 0) edgesLive.addAndGet(-pruned);
        }
        return edge;
    }

    /** Publishes {@code node} unless it is published already: a read here, the move out of line. */
    private void publish(LockNode node) {
        if (!node.isPublished()) moveParkedEdges(node);
    }

    /**
     * Moves the edges parked on {@code node} to their sources, where the cycle search sees them: a second
     * thread has used {@code node} (or it has too many in to keep them parked). They need no search of their
     * own: a cycle through {@code node} needs an edge out of it, and the search of the edge that closes the cycle,
     * added after this, walks through them. Rare next to the edges that stay parked: out of line.
     */
    @DontInline
    private void moveParkedEdges(LockNode node) {
        for (Edge edge : node.publish()) {
            Edge kept = addToSource(edge);
            if (kept != edge) {
                // A thread that found the lock published already added its own edge meanwhile: one edge, both ways.
                edgesLive.decrementAndGet();
                for (Occurrence o : edge.occurrences()) kept.add(o);
            }
        }
    }

    /** Searches the cycles that new occurrences may have closed and reports the real ones. */
    public synchronized void detect() {
        wakeupPending.set(false);
        Edge edge;
        int searched = 0;
        while ((edge = changed.poll()) != null) {
            // A cycle is searched even when its locks were collected meanwhile: the program did take them
            // in both orders, and the code that did can deadlock the next time, with other instances.
            // A long backlog must not keep collected locks in the graph until it is done.
            if (++searched % SEARCHES_PER_PURGE == 0) expungeCollected();
            cycleSearches.incrementAndGet();
            boolean complete = CycleFinder.findCycles(edge, considerCycle);
            if (!complete) cycleSearchesCapped.incrementAndGet();
        }
    }

    /** {@link #consider}, as a class of its own rather than a method reference (see {@link LockRegistry#NOTHING}). */
    private final CycleFinder.CycleVisitor considerCycle = new CycleFinder.CycleVisitor() {
        @Override
        public void cycle(Edge[] edges) {
            consider(edges);
        }
    };

    private void consider(Edge[] cycle) {
        String key = cycleKey(cycle);
        if (reportedCycles.contains(key)) return;
        Occurrence[] witness = Feasibility.witness(cycle);
        if (witness == null) return;
        if (findingCount >= MAX_FINDINGS) {
            findingsDropped.incrementAndGet();
            return;
        }
        reportedCycles.add(key);
        int start = oldestLock(cycle);
        findings.accept(new PotentialDeadlock(++findingCount, rotate(cycle, start), rotate(witness, start)));
    }

    /** The cycle starts at its oldest lock, so the same cycle always reads the same way. */
    private static int oldestLock(Edge[] cycle) {
        int start = 0;
        for (int i = 1; i < cycle.length; i++) {
            if (cycle[i].from.id < cycle[start].from.id) start = i;
        }
        return start;
    }

    private static <T> T[] rotate(T[] items, int start) {
        T[] rotated = Arrays.copyOf(items, items.length);
        for (int i = 0; i < items.length; i++) rotated[i] = items[(start + i) % items.length];
        return rotated;
    }

    /** The same set of locks is one finding, however many threads or times took it. */
    private static String cycleKey(Edge[] cycle) {
        long[] ids = new long[cycle.length];
        for (int i = 0; i < cycle.length; i++) ids[i] = cycle[i].from.id;
        Arrays.sort(ids);
        return Arrays.toString(ids);
    }

    /** Forgets locks that were garbage collected. Cheap when none were; detector thread only. */
    public void expungeCollected() {
        if (registry.expunge() > 0) pruneNeeded = true;
    }

    /**
     * Also drops the edges to collected and evicted locks and recounts the live edges (walks every node). Detector
     * thread only, now and then: when locks were collected, or removed by application threads, since the last walk.
     */
    public void clean() {
        long removedOnDemand = registry.evicted.get() + registry.purgedOnDemand.get();
        if (registry.expunge() == 0 && !pruneNeeded && removedOnDemand == removedOnDemandAtWalk) return;
        pruneNeeded = false;
        // A lock that an application thread removes while the walk is under way takes its edges off the count
        // itself, which the recount then overwrites: if the walk had passed it, the count stays high by its edges.
        // So a walk during which locks were removed (or edges added: see the end) is followed by another. Without
        // it, a program whose locks all live (evicted at the caps, never collected, so nothing else made the
        // detector walk) kept a count past the edge cap: every new edge was dropped and every new lock evicted
        // others, and an inversion taken then was missed (ManyShortLivedLocksTest's small heap, once in CI, under
        // load).
        removedOnDemandAtWalk = removedOnDemand;
        // One pass: drop each node's edges to collected locks and the edges parked on it from collected ones,
        // and recount the live edges (those of a collected lock went with its node) rather than track each one.
        // Application threads add edges meanwhile: the count becomes the recount plus the edges created during
        // the walk, not the recount alone, which would lose those added to locks the walk had passed (and let
        // the edge cap be passed by as many). An edge the walk counted as well, or one removed during the walk
        // after it was counted, makes the count too high until the next clean, which the cap can bear.
        long createdBefore = edgesCreated.get();
        long[] live = {0};
        registry.forEach(node -> {
            node.pruneDeadTargets();
            node.pruneDeadSources();
            live[0] += node.edgesKept();
        });
        long createdAtSet = edgesCreated.get();
        edgesLive.set(live[0] + createdAtSet - createdBefore);
        // An edge being counted right now raised the count of created edges after the read above, and may have
        // raised the live count before the set, which overwrote that: the edges created since the read are added
        // once more (those whose own increment comes after the set are then counted twice, too high again).
        // An edge whose creation was counted before the read is in the sum above, or (created before the walk
        // began) in the recount, so no edge added during a clean is ever missing from its count. A removal on an
        // application thread (a purge at a cap, a source's edges pruned as they grow, a duplicate dropped as a
        // lock is published) lowers the count after it has taken effect: one that the walk did not see but that
        // lowers the count after the set leaves it low by what it removed until the next clean. That takes a
        // thread stopped between the two steps for the rest of the walk; not made impossible here.
        long createdSince = edgesCreated.get() - createdAtSet;
        if (createdSince > 0) edgesLive.addAndGet(createdSince);
        // Edges created during the walk may be in the count twice: the next clean counts again, quiet or not.
        if (createdBefore != edgesCreated.get()) pruneNeeded = true;
    }

    // ---- numbers for the metrics endpoint ----
    public long locksTracked() {
        return registry.liveCount();
    }

    public long locksDropped() {
        return registry.dropped.get();
    }

    public long locksEvicted() {
        return registry.evicted.get();
    }

    /** Most locks the graph tracks at once, and most edges: lower in a heap under 1 GiB ({@link #capFor}). */
    public long locksCap() {
        return maxLocks;
    }

    public long edges() {
        return Math.max(0, edgesLive.get());
    }

    public long edgesDropped() {
        return edgesDropped.get();
    }

    public long occurrencesDropped() {
        return occurrencesDropped.get();
    }

    public void writeStats(JsonWriter json) {
        json.field("locksTracked", registry.liveCount());
        json.field("locksSeen", registry.createdCount());
        json.field("locksDropped", registry.dropped.get());
        json.field("lockLookupsDropped", registry.droppedLookups.get());
        json.field("locksPurgedOnDemand", registry.purgedOnDemand.get());
        json.field("locksEvicted", registry.evicted.get());
        json.field("edges", edges());
        json.field("edgesSeen", edgesCreated.get());
        json.field("edgesDropped", edgesDropped.get());
        json.field("occurrencesDropped", occurrencesDropped.get());
        json.field("occurrencesRecorded", occurrencesRecorded.get());
        json.field("cycleSearches", cycleSearches.get());
        json.field("cycleSearchesCapped", cycleSearchesCapped.get());
        json.field("cycleSearchesSkipped", cycleSearchesSkipped.get());
        json.field("findingsDropped", findingsDropped.get());
        json.field("locksCap", maxLocks);
        json.field("edgesCap", maxEdges);
    }
}
