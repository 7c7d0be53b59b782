package io.lockwatch.bench.jmh;

import io.lockwatch.runtime.graph.LockOrderGraph;
import io.lockwatch.runtime.track.LockTracker;

/** Enables the tracker once per benchmark JVM, as {@code Lockwatch.start} does, without the detector thread. */
final class TrackerSetup {
    private static LockOrderGraph graph;

    private TrackerSetup() {}

    static synchronized LockOrderGraph start() {
        if (graph == null) {
            graph = new LockOrderGraph(finding -> { });
            LockTracker.start(graph, 64); // 64: Options.DEFAULT_STACK_DEPTH
        }
        return graph;
    }
}
