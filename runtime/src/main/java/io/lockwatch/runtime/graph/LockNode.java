package io.lockwatch.runtime.graph;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One lock in the lock-order graph. Its identity is the lock object (two instances of one class are
 * two locks), held weakly so that the graph never keeps an application object alive.
 */
public final class LockNode extends WeakReference<Object> {
    private static final Edge[] NO_EDGES = new Edge[0];
    private static final AtomicReferenceFieldUpdater<LockNode, Edge[]> OUT =
            AtomicReferenceFieldUpdater.newUpdater(LockNode.class, Edge[].class, "out");

    public final long id;
    public final int identityHash;
    public final String className;
    /** Outgoing edges, copied on write: readers scan a snapshot without locking. */
    private volatile Edge[] out = NO_EDGES;

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

    public Edge[] edges() {
        return out;
    }

    /** The edge to {@code target}, or null. A scan of a short array: no allocation, no lock. */
    public Edge edgeTo(LockNode target) {
        Edge[] edges = out;
        for (Edge edge : edges) {
            if (edge.to == target) return edge;
        }
        return null;
    }

    /** Adds the edge to {@code target} unless another thread just did; returns the one in the graph. */
    Edge addEdge(LockNode target, Edge candidate) {
        while (true) {
            Edge[] current = out;
            for (Edge edge : current) {
                if (edge.to == target) return edge;
            }
            Edge[] grown = new Edge[current.length + 1];
            System.arraycopy(current, 0, grown, 0, current.length);
            grown[current.length] = candidate;
            if (OUT.compareAndSet(this, current, grown)) return candidate;
        }
    }

    /** Drops edges to locks that no longer exist; returns how many were dropped. */
    int pruneDeadTargets() {
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
                if (edge.to.isAlive()) kept[i++] = edge;
            }
            if (OUT.compareAndSet(this, current, kept)) return current.length - alive;
        }
    }

    int edgeCount() {
        return out.length;
    }
}
