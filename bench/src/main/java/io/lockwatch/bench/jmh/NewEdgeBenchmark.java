package io.lockwatch.bench.jmh;

import io.lockwatch.runtime.graph.LockNode;
import io.lockwatch.runtime.graph.LockOrderGraph;
import io.lockwatch.runtime.graph.Occurrence;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The new-lock/new-edge path of the graph, which is most of a warmed-up H2's overhead (see PERFORMANCE-ROUNDS.md, fifth
 * round): a fresh lock object gets its node, and an edge from a long-lived lock ({@code underHub}, H2's
 * pattern: map bins locked under the database's own locks) or from another fresh lock ({@code freshPair},
 * the memory case's pattern). The locks die young, as they do there; the detector's work is done inline
 * at its rhythm (collected locks expunged every 4,096 operations, the full clean every 2^20), since JMH
 * has no detector thread. Allocation and GC are part of what is measured: run with {@code -prof gc} to see
 * them per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class NewEdgeBenchmark {
    LockOrderGraph graph;
    Object hubLock;
    LockNode hub;
    /** The last few fresh locks stay reachable for a while, like bins still in their map. */
    final Object[] recent = new Object[1024];
    Occurrence occurrence;
    long operations;

    @Setup(Level.Trial)
    public void build() {
        graph = new LockOrderGraph(finding -> { });
        hubLock = new Object();
        hub = graph.node(hubLock, "Hub");
        occurrence = new Occurrence(Thread.currentThread().getId(), "bench", Occurrence.EXCLUSIVE, Occurrence.EXCLUSIVE,
                false, new long[0], 1, new StackTraceElement[0], new StackTraceElement[0]);
    }

    private void detectorRhythm() {
        long n = ++operations;
        if ((n & 4095) == 0) graph.expungeCollected();
        if ((n & ((1 << 20) - 1)) == 0) graph.clean();
    }

    /** A fresh lock, kept reachable for the next 1,024 operations. */
    private Object freshLock() {
        Object lock = new Object();
        recent[(int) (operations & 1023)] = lock;
        return lock;
    }

    @Benchmark
    public LockNode underHub() {
        LockNode node = graph.node(freshLock(), "Bin");
        if (node != null) graph.record(hub, node, occurrence);
        detectorRhythm();
        return node;
    }

    /** The registry's part of {@code underHub}: the fresh lock's node, no edge. */
    @Benchmark
    public LockNode nodeOnly() {
        LockNode node = graph.node(freshLock(), "Bin");
        detectorRhythm();
        return node;
    }

    @Benchmark
    public LockNode freshPair() {
        LockNode from = graph.node(freshLock(), "Outer");
        LockNode to = graph.node(new Object(), "Inner"); // unreachable at once, like the memory case's inner locks
        if (from != null && to != null) graph.record(from, to, occurrence);
        detectorRhythm();
        return to;
    }
}
