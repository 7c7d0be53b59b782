package io.lockwatch.runtime.graph;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import jdk.internal.vm.annotation.DontInline;

/**
 * One lock in the lock-order graph. Its identity is the lock object (two instances of one class are
 * two locks), held weakly so that the graph never keeps an application object alive.
 *
 * <p>Outgoing edges live in one field whose shape follows their number: nothing, the one edge itself
 * (by far the most common case, and no array to pay for), a short copy-on-write array, or, past
 * {@link #SMALL} edges, a concurrent hash map. A lock under which a program takes many different locks (a
 * database's table lock over its rows, say) would otherwise make the scan and every copy long. Every
 * shape is read without locking or allocating; every change is one compare-and-set of the field, so a
 * change of shape cannot lose an edge added at the same time.
 *
 * <p>Edges into a lock that has no edge out, or that one thread alone has used ({@link #usedOnlyBy}), are kept on
 * that lock ("parked", {@link #replaceParked}), not in the edges of the locks they come from. No cycle can pass
 * through a lock with no way out, and no deadlock through a lock that one thread alone takes, so the cycle search
 * has no use for them yet; and such locks are mostly short-lived objects locked under long-lived ones (a
 * fresh row or buffer under a connection's and a session's locks, a file channel's own locks under the
 * caller's; until a map's bins became one lock, H2's {@code ConcurrentHashMap} bins at every commit). Parked,
 * their edges die with them, and the long-lived lock's map does not grow, resize and get pruned for each one.
 * The first edge a second thread records with a lock publishes the edges parked on it into their sources' edges
 * before that edge is added itself (see {@link LockOrderGraph#record}), and so does an edge into a lock that has
 * {@link #SMALL} parked already.
 *
 * <p>Parked edges may be <em>shared</em> ({@link Edge#isShared}): every fresh object locked under the
 * same two locks, the same way, has the same two parked edges, so the locks taken that way share one set of
 * them rather than each allocating its own. What a young collection then copies for such a lock, before it
 * finds the lock gone, is its node alone (see LockRegistry). A lock whose parked edges must change (a new
 * occurrence) gets copies of its own first ({@link #ownCopyOf}), and publishing gives each its own edge.
 *
 * <p>Size matters here: a program can have a node for each of a million short-lived locks between two
 * garbage collections. A node is 64 bytes (compressed oops; {@link #part} fills what was padding); a
 * registry entry of 24 more only for a lock that shares its bucket.
 */
public final class LockNode extends WeakReference<Object> {
    /** Most edges kept in the array; more move to the map. */
    static final int SMALL = 16;
    /** How far an edge map may grow past its live size before the edge that makes it that big prunes it. */
    static final int PRUNE_GROWTH = 4;
    private static final Edge[] NO_EDGES = new Edge[0];
    private static final AtomicReferenceFieldUpdater<LockNode, Object> OUT =
            AtomicReferenceFieldUpdater.newUpdater(LockNode.class, Object.class, "out");
    private static final AtomicReferenceFieldUpdater<LockNode, Object> INCOMING =
            AtomicReferenceFieldUpdater.newUpdater(LockNode.class, Object.class, "incoming");
    /** The value of {@link #incoming} once the lock's in-edges are kept by their sources. */
    private static final Object PUBLISHED = new Object();
    private static final AtomicLongFieldUpdater<LockNode> SOLE_THREAD =
            AtomicLongFieldUpdater.newUpdater(LockNode.class, "soleThread");
    /** {@link #soleThread} once two threads have recorded edges with the lock (thread ids are positive). */
    private static final long SEVERAL = -1;

    /** {@link #part}: the lock is the object itself (its monitor, or a {@code java.util.concurrent} lock). */
    public static final byte WHOLE = 0;
    /**
     * {@link #part}: the lock is the bins of a {@code ConcurrentHashMap}, which the map's methods lock one at
     * a time. The bin objects come and go with the entries; the order a program takes them in is the map's.
     */
    public static final byte BINS = 1;
    /**
     * {@link #part}: the class-loading locks of a parallel-capable class loader, one object per class name
     * ({@code ClassLoader.getClassLoadingLock}), each held while its class loads. One lock per loader in the
     * graph, as a map's bins are, so that the graph does not grow by one lock and its edges per class loaded.
     */
    public static final byte CLASS_LOADING = 2;

    public final long id;
    public final int identityHash;
    public final String className;
    /** Which of its object's locks this node stands for: {@link #WHOLE}, {@link #BINS} or {@link #CLASS_LOADING} (the object's own monitor is another lock). */
    public final byte part;
    /** Outgoing edges: null, an {@link Edge}, an {@code Edge[]} (2 to SMALL) or an {@link EdgeMap} (a {@code ConcurrentHashMap}). */
    private volatile Object out;
    /**
     * Edges into this lock while it has none out, or while one thread alone has used it: null, an {@link Edge},
     * or an {@code Edge[]} (2 to SMALL); {@link #PUBLISHED} from then on (or from its first in-edge past SMALL).
     */
    private volatile Object incoming;
    /**
     * The one thread that has recorded edges with this lock, either end ({@link #usedOnlyBy}); 0 before
     * the first, {@link #SEVERAL} once a second thread has.
     */
    private volatile long soleThread;

    LockNode(Object lock, String className, long id, ReferenceQueue<Object> queue) {
        this(lock, className, WHOLE, id, queue, System.identityHashCode(lock));
    }

    /** {@code identityHash} is the lock's, already computed (hashing a monitor that is held is slow on JDK 17). */
    LockNode(Object lock, String className, byte part, long id, ReferenceQueue<Object> queue, int identityHash) {
        super(lock, queue);
        this.id = id;
        this.identityHash = identityHash;
        this.className = className;
        this.part = part;
    }

    /**
     * Can a thread hold this lock only while no other does? Then it is a gate for what is taken under it (see
     * Feasibility). Not a map's bins, nor a loader's class-loading locks: two threads each in a bin of their
     * own hold "the bins" at once, and two threads each loading a class of their own hold "the class-loading
     * locks" at once.
     */
    public boolean isMutuallyExclusive() {
        return part == WHOLE;
    }

    /**
     * How users see the lock, like {@code Object.toString()}: {@code java.lang.Object@1b6d3586}; a map's bins
     * as {@code java.util.concurrent.ConcurrentHashMap@1b6d3586 (bins)}, a loader's class-loading locks as the
     * loader with {@code (class-loading locks)} after it.
     */
    public String displayName() {
        String name = className + "@" + Integer.toHexString(identityHash);
        return part == BINS ? name + " (bins)" : part == CLASS_LOADING ? name + " (class-loading locks)" : name;
    }

    /**
     * Is the lock still there (not collected, the node not evicted)? Unlike {@code get() != null} this does
     * not make the lock strongly reachable for a concurrent marking that is running, so the detector's walks
     * over every node and edge do not keep the locks they meet alive for one more GC cycle.
     */
    public boolean isAlive() {
        return !refersTo(null);
    }

    boolean isCleared() {
        return refersTo(null);
    }

    /** A snapshot of the outgoing edges (the detector's view). */
    public Edge[] edges() {
        Object o = out;
        if (o == null) return NO_EDGES;
        if (o instanceof Edge) return new Edge[] {(Edge) o};
        if (o instanceof Edge[]) return (Edge[]) o;
        return edgesOf((EdgeMap) o);
    }

    /** The outgoing edge when there is exactly one, else null: read without allocating (see {@link #edges}). */
    Edge onlyEdge() {
        Object o = out;
        return o instanceof Edge ? (Edge) o : null;
    }

    /** Out of line: the map's iteration is large and rare (a lock with many successors), so callers stay small to compile. */
    @DontInline
    private static Edge[] edgesOf(EdgeMap map) {
        return map.values().toArray(NO_EDGES);
    }

    /**
     * Is {@code threadId} the only thread that has recorded an edge with this lock, counting the edge it is
     * recording now? The first thread to ask claims the lock; the first other thread marks it as used by
     * several, for good. A lock one thread alone has used cannot be part of a deadlock yet: a deadlock's cycle holds each of its locks in one
     * thread while another waits for it, so the edge into it and the edge out of it come from two threads
     * (see {@link Feasibility}). Its edges may stay parked on it until a second thread comes (see
     * {@link LockOrderGraph#record}).
     */
    boolean usedOnlyBy(long threadId) {
        while (true) {
            long sole = soleThread;
            if (sole == threadId) return true;
            if (sole == SEVERAL) return false;
            if (SOLE_THREAD.compareAndSet(this, sole, sole == 0 ? threadId : SEVERAL)) return sole == 0;
        }
    }

    /** Has a second thread recorded an edge with this lock ({@link #usedOnlyBy})? A read, no claim. */
    boolean usedBySeveral() {
        return soleThread == SEVERAL;
    }

    /** Has this lock any outgoing edge? */
    boolean hasEdges() {
        return out != null;
    }

    /** The edge {@code from -> to}, parked on {@code to} or among {@code from}'s edges; or null. No allocation, no lock. */
    public static Edge edgeBetween(LockNode from, LockNode to) {
        Object in = to.incoming;
        return in == PUBLISHED ? from.edgeTo(to) : parkedFrom(in, from);
    }

    /** The edge from {@code source} among parked edges {@code in} (null, an Edge, an Edge[]), or null. */
    static Edge parkedFrom(Object in, LockNode source) {
        if (in instanceof Edge) {
            Edge edge = (Edge) in;
            return edge.from == source ? edge : null;
        }
        if (in instanceof Edge[]) {
            for (Edge edge : (Edge[]) in) {
                if (edge.from == source) return edge;
            }
        }
        return null;
    }

    /** Are the edges into this lock kept by their sources (it has, or had, an edge out; or had too many in)? */
    boolean isPublished() {
        return incoming == PUBLISHED;
    }

    /**
     * Parked edges {@code in} (null, an Edge or an Edge[]) and {@code edge}, as a new shape; null when
     * {@link #SMALL} are parked already. {@code in} is not changed: it may be shared by other locks.
     */
    static Object withParked(Object in, Edge edge) {
        if (in == null) return edge;
        if (in instanceof Edge) return new Edge[] {(Edge) in, edge};
        Edge[] current = (Edge[]) in;
        if (current.length >= SMALL) return null;
        Edge[] grown = java.util.Arrays.copyOf(current, current.length + 1);
        grown[current.length] = edge;
        return grown;
    }

    /** What is parked here now: null, an Edge, an Edge[], or the mark of a published lock ({@link #isPublished(Object)}). */
    Object parkedShape() {
        return incoming;
    }

    static boolean isPublished(Object parkedShape) {
        return parkedShape == PUBLISHED;
    }

    /** Are parked edges {@code in} (null, an Edge or an Edge[]) all shared ones, so that other locks may have them too? */
    static boolean allShared(Object in) {
        if (in == null) return true;
        if (in instanceof Edge) return ((Edge) in).isShared();
        if (!(in instanceof Edge[])) return false;
        for (Edge edge : (Edge[]) in) {
            if (!edge.isShared()) return false;
        }
        return true;
    }

    /**
     * Parks {@code next} (made from {@code expected} by {@link #withParked}) unless the parked edges changed
     * meanwhile. Parked edges are shared ones when they are parked ({@link LockOrderGraph#record}); a lock's
     * own copy replaces one only when it must change ({@link #ownCopyOf}).
     */
    boolean replaceParked(Object expected, Object next) {
        return INCOMING.compareAndSet(this, expected, next);
    }

    /**
     * Replaces a shared parked edge with one of this lock's own, with the same occurrences, which can then
     * take more. @return it, or null when the parked edges changed meanwhile (look again)
     */
    Edge ownCopyOf(Edge shared) {
        Object in = incoming;
        Edge own = new Edge(shared.from, this, shared.occurrences());
        Object replaced;
        if (in == shared) {
            replaced = own;
        } else if (in instanceof Edge[]) {
            Edge[] copy = ((Edge[]) in).clone(); // perhaps shared with other locks: never written
            int at = 0;
            while (at < copy.length && copy[at] != shared) at++;
            if (at == copy.length) return null;
            copy[at] = own;
            replaced = copy;
        } else {
            return null;
        }
        return INCOMING.compareAndSet(this, in, replaced) ? own : null;
    }

    /**
     * From now on the edges into this lock are kept by their sources: @return those parked here until now,
     * for the caller to move there (empty when there were none, or another thread took them).
     */
    Edge[] publish() {
        Edge[] parked = parked(INCOMING.getAndSet(this, PUBLISHED));
        // A shared parked edge becomes an edge of this lock's own: its source keeps it, with this lock as its
        // far end. The array may be shared with other locks too, so it is copied before it is written.
        Edge[] own = parked;
        for (int i = 0; i < parked.length; i++) {
            if (!parked[i].isShared()) continue;
            if (own == parked) own = parked.clone();
            own[i] = new Edge(parked[i].from, this, parked[i].occurrences());
        }
        return own;
    }

    /** Parked edges {@code in} (null, an Edge, an Edge[], or PUBLISHED: none here) as an array. */
    private static Edge[] parked(Object in) {
        if (in instanceof Edge) return new Edge[] {(Edge) in};
        if (in instanceof Edge[]) return (Edge[]) in;
        return NO_EDGES;
    }

    /** The edge to {@code target} among this lock's own (not one parked on {@code target}), or null. No allocation, no lock. */
    public Edge edgeTo(LockNode target) {
        Object o = out;
        if (o instanceof Edge) {
            Edge edge = (Edge) o;
            return edge.to == target ? edge : null;
        }
        if (o instanceof Edge[]) {
            for (Edge edge : (Edge[]) o) {
                if (edge.to == target) return edge;
            }
            return null;
        }
        if (o == null) return null;
        return edgeInMap((EdgeMap) o, target);
    }

    @DontInline // the map's methods out of line: see the note above mapOf
    private static Edge edgeInMap(EdgeMap map, LockNode target) {
        return map.get(target);
    }

    /**
     * Adds the edge to {@code target} unless another thread just did; returns the one in the graph. Edges
     * to locks that were collected meanwhile are left out of each copy.
     */
    Edge addEdge(LockNode target, Edge candidate) {
        while (true) {
            Object o = out;
            Object grown;
            if (o == null) {
                grown = candidate;
            } else if (o instanceof Edge) {
                Edge only = (Edge) o;
                if (only.to == target) return only;
                grown = only.to.isAlive() ? new Edge[] {only, candidate} : candidate;
            } else if (o instanceof Edge[]) {
                Edge[] current = (Edge[]) o;
                int alive = 0;
                for (Edge edge : current) {
                    if (edge.to == target) return edge;
                    if (edge.to.isAlive()) alive++;
                }
                if (alive >= SMALL) {
                    grown = mapOf(current, target, candidate);
                } else {
                    grown = withAlive(current, alive, candidate, false);
                }
            } else {
                return putIfAbsent((EdgeMap) o, target, candidate);
            }
            // Once the map is in place it stays, so a lost race is simply tried again on the new shape.
            if (OUT.compareAndSet(this, o, grown)) {
                return grown instanceof EdgeMap ? edgeInMap((EdgeMap) grown, target) : candidate;
            }
        }
    }

    // The map's methods are large and needed only by locks with many successors: kept out of line, so that
    // edgeTo, edges and addEdge (and the order check's slow path, which inlines them) stay small to compile.

    @DontInline
    private static EdgeMap mapOf(Edge[] current, LockNode target, Edge candidate) {
        EdgeMap map = new EdgeMap();
        for (Edge edge : current) map.putIfAbsent(edge.to, edge);
        map.putIfAbsent(target, candidate);
        return map;
    }

    @DontInline
    private static Edge putIfAbsent(EdgeMap map, LockNode target, Edge candidate) {
        Edge existing = map.putIfAbsent(target, candidate);
        return existing != null ? existing : candidate;
    }

    /**
     * The out-edges of a lock with many successors, and when to drop those to collected locks. Such a lock
     * is typically a long-lived one under which short-lived objects are locked (a database's rows under
     * its connection): without pruning, the edges to collected locks piled up until the detector's
     * periodic clean (every 2 s), growing and resizing the map and keeping every dead
     * edge, node and occurrence alive through young collections, into the old generation.
     */
    private static final class EdgeMap extends ConcurrentHashMap<LockNode, Edge> {
        private static final int FIRST_PRUNE = SMALL * 8;
        /** The size at which the next edge added prunes: PRUNE_GROWTH times the live size after the last prune. Racy on purpose. */
        int pruneAt = FIRST_PRUNE;

        EdgeMap() {
            super(SMALL * 4);
        }
    }

    /**
     * After an edge was added here: drops the edges to collected locks once the map has grown to
     * {@link #PRUNE_GROWTH} times its live size at the last prune, so the work is a constant per edge added
     * and the map stays within that factor of its live size. A collected lock cannot be taken again, so it
     * will never have an edge out of it: no cycle can pass through it, and its incoming edges are of no
     * more use.
     *
     * <p>The factor is a trade: a prune visits every edge of the map, each a few cache misses away from the
     * next (measured in H2: ~0.5 µs per edge, 0.15–0.25 s of a two-pass run at a factor of 2, where most
     * edges survive). Per edge added, a prune costs about {@code PRUNE_GROWTH / (PRUNE_GROWTH - 1)} visits:
     * 2 at a factor of 2, 1.33 at 4. The detector's clean, every few seconds, also prunes every map.
     *
     * @return how many edges were dropped
     */
    int pruneIfGrown() {
        Object o = out;
        if (!(o instanceof EdgeMap)) return 0;
        EdgeMap map = (EdgeMap) o;
        if (map.size() < map.pruneAt) return 0;
        return prune(map);
    }

    @DontInline
    private static int prune(EdgeMap map) {
        int before = map.size();
        map.pruneAt = PRUNE_GROWTH * before; // claimed: the threads adding edges meanwhile do not prune it again
        // By key: the target is the key, so an edge is dropped without loading the Edge object itself.
        map.keySet().removeIf(target -> !target.isAlive());
        int after = map.size();
        map.pruneAt = Math.max(EdgeMap.FIRST_PRUNE, PRUNE_GROWTH * after);
        return Math.max(0, before - after);
    }

    /**
     * The edges of {@code current} whose far end is alive (about {@code alive} of them: their sources when
     * {@code bySource}, else their targets) plus {@code extra} when not null, as a field's shape: null, the
     * one edge, or an array.
     */
    private static Object withAlive(Edge[] current, int alive, Edge extra, boolean bySource) {
        Edge[] kept = new Edge[alive + (extra != null ? 1 : 0)];
        int i = 0;
        for (Edge edge : current) {
            if (i < alive && farEndAlive(edge, bySource)) kept[i++] = edge;
        }
        if (extra != null) kept[i++] = extra;
        if (i < kept.length) kept = java.util.Arrays.copyOf(kept, i); // one died between the two passes
        if (i == 0) return null;
        if (i == 1) return kept[0];
        return kept;
    }

    private static int countAlive(Edge[] edges, boolean bySource) {
        int alive = 0;
        for (Edge edge : edges) {
            if (farEndAlive(edge, bySource)) alive++;
        }
        return alive;
    }

    private static boolean farEndAlive(Edge edge, boolean bySource) {
        return (bySource ? edge.from : edge.to).isAlive();
    }

    /** Drops edges to locks that no longer exist; returns how many were dropped. */
    int pruneDeadTargets() {
        while (true) {
            Object o = out;
            if (o == null) return 0;
            if (o instanceof EdgeMap) return prune((EdgeMap) o);
            if (o instanceof Edge) {
                if (((Edge) o).to.isAlive()) return 0;
                if (OUT.compareAndSet(this, o, null)) return 1;
                continue;
            }
            Edge[] current = (Edge[]) o;
            int alive = countAlive(current, false);
            if (alive == current.length) return 0;
            if (OUT.compareAndSet(this, o, withAlive(current, alive, null, false))) return current.length - alive;
        }
    }

    /** Drops the parked edges whose source was collected (they can never be taken again); returns how many. */
    int pruneDeadSources() {
        while (true) {
            Object in = incoming;
            if (in == PUBLISHED || in == null) return 0;
            if (in instanceof Edge) { // the common case, checked as it is: this runs for every node at every clean
                if (((Edge) in).from.isAlive()) return 0;
                if (INCOMING.compareAndSet(this, in, null)) return 1;
                continue;
            }
            Edge[] parked = (Edge[]) in;
            int alive = countAlive(parked, true);
            if (alive == parked.length) return 0;
            if (INCOMING.compareAndSet(this, in, withAlive(parked, alive, null, true))) return parked.length - alive;
        }
    }

    /** The edges this node keeps: its own, and those parked on it (they go with it when its lock is collected). */
    int edgesKept() {
        Object in = incoming;
        int parked = in instanceof Edge ? 1 : in instanceof Edge[] ? ((Edge[]) in).length : 0;
        return edgeCount() + parked;
    }

    int edgeCount() {
        Object o = out;
        if (o == null) return 0;
        if (o instanceof Edge) return 1;
        if (o instanceof Edge[]) return ((Edge[]) o).length;
        return ((EdgeMap) o).size();
    }
}
