package io.lockwatch.runtime.graph;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One lock in the lock-order graph. Its identity is the lock object (two instances of one class are
 * two locks), held weakly so that the graph never keeps an application object alive.
 *
 * <p>Outgoing edges live in a short copy-on-write array: the fast path scans it without locking or
 * allocating. A lock under which a program takes many different locks (a database's table lock over its
 * rows, say) would make that scan and every copy long, so past {@link #SMALL} edges they move to a
 * concurrent hash map, looked up without locking as well.
 */
public final class LockNode extends WeakReference<Object> {
    /** Most edges kept in the array; more move to the map. */
    static final int SMALL = 16;
    private static final Edge[] NO_EDGES = new Edge[0];
    private static final AtomicReferenceFieldUpdater<LockNode, Edge[]> OUT =
            AtomicReferenceFieldUpdater.newUpdater(LockNode.class, Edge[].class, "out");
    private static final AtomicReferenceFieldUpdater<LockNode, ConcurrentHashMap> MANY =
            AtomicReferenceFieldUpdater.newUpdater(LockNode.class, ConcurrentHashMap.class, "many");

    public final long id;
    public final int identityHash;
    public final String className;
    /** Outgoing edges while there are few, copied on write: readers scan a snapshot. */
    private volatile Edge[] out = NO_EDGES;
    /** Outgoing edges by target once there are many (LockNode has identity equality). */
    private volatile ConcurrentHashMap<LockNode, Edge> many;

    LockNode(Object lock, String className, long id, ReferenceQueue<Object> queue) {
        super(lock, queue);
        this.id = id;
        this.identityHash = System.identityHashCode(lock);
        this.className = className;
    }

    /** How users see the lock, like {@code Object.toString()}: {@code java.lang.Object@1b6d3586}. */
    public String displayName() {
        return className + "@" + Integer.toHexString(identityHash);
    }

    public boolean isAlive() {
        return get() != null;
    }

    /** A snapshot of the outgoing edges (the detector's view). */
    public Edge[] edges() {
        ConcurrentHashMap<LockNode, Edge> map = many;
        return map == null ? out : map.values().toArray(NO_EDGES);
    }

    /** The edge to {@code target}, or null. No allocation, no lock. */
    public Edge edgeTo(LockNode target) {
        ConcurrentHashMap<LockNode, Edge> map = many;
        if (map != null) return map.get(target);
        Edge[] edges = out;
        for (Edge edge : edges) {
            if (edge.to == target) return edge;
        }
        return null;
    }

    /**
     * Adds the edge to {@code target} unless another thread just did; returns the one in the graph. Edges
     * to locks that were collected meanwhile are left out of each copy.
     */
    Edge addEdge(LockNode target, Edge candidate) {
        while (true) {
            ConcurrentHashMap<LockNode, Edge> map = many;
            if (map != null) {
                Edge existing = map.putIfAbsent(target, candidate);
                return existing != null ? existing : candidate;
            }
            Edge[] current = out;
            int alive = 0;
            for (Edge edge : current) {
                if (edge.to == target) return edge;
                if (edge.to.isAlive()) alive++;
            }
            if (alive >= SMALL) {
                moveToMap(current);
                continue;
            }
            Edge[] grown = new Edge[alive + 1];
            int i = 0;
            for (Edge edge : current) {
                if (i < alive && edge.to.isAlive()) grown[i++] = edge;
            }
            grown[i] = candidate;
            if (i < alive) grown = java.util.Arrays.copyOf(grown, i + 1); // one died between the two passes
            if (OUT.compareAndSet(this, current, grown)) {
                // A concurrent move to the map may have copied the array before this edge arrived.
                ConcurrentHashMap<LockNode, Edge> moved = many;
                if (moved != null) {
                    Edge existing = moved.putIfAbsent(target, candidate);
                    return existing != null ? existing : candidate;
                }
                return candidate;
            }
        }
    }

    /** Switches to the map; whichever thread wins, every edge of the array ends up in it. */
    private void moveToMap(Edge[] snapshot) {
        ConcurrentHashMap<LockNode, Edge> map = new ConcurrentHashMap<>(SMALL * 4);
        for (Edge edge : snapshot) map.putIfAbsent(edge.to, edge);
        MANY.compareAndSet(this, null, map);
        ConcurrentHashMap<LockNode, Edge> winner = many;
        for (Edge edge : out) winner.putIfAbsent(edge.to, edge); // edges added to the array meanwhile
    }

    /** Drops edges to locks that no longer exist; returns how many were dropped. */
    int pruneDeadTargets() {
        ConcurrentHashMap<LockNode, Edge> map = many;
        if (map != null) {
            int before = map.size();
            map.values().removeIf(edge -> !edge.to.isAlive());
            return Math.max(0, before - map.size());
        }
        while (true) {
            Edge[] current = out;
            int alive = 0;
            for (Edge edge : current) {
                if (edge.to.isAlive()) alive++;
            }
            if (alive == current.length) return 0;
            Edge[] kept = new Edge[alive];
            int i = 0;
            for (Edge edge : current) {
                if (edge.to.isAlive() && i < alive) kept[i++] = edge;
            }
            if (OUT.compareAndSet(this, current, kept)) return current.length - alive;
        }
    }

    int edgeCount() {
        ConcurrentHashMap<LockNode, Edge> map = many;
        return map != null ? map.size() : out.length;
    }
}
