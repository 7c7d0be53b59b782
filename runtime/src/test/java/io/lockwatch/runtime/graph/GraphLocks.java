package io.lockwatch.runtime.graph;

import java.util.List;

/** Locks for the graph's tests. */
final class GraphLocks {
    private GraphLocks() {}

    /** The node of a new lock, which goes to {@code locks}: the graph holds locks weakly, the test keeps them. */
    static LockNode newLock(LockOrderGraph graph, List<Object> locks, String name) {
        Object lock = new Object();
        locks.add(lock);
        return graph.node(lock, name);
    }
}
