package io.lockwatch.bench.jmh;

import io.lockwatch.runtime.graph.Edge;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pieces of the known-edge check: node lookup in the registry (identity hash + chain walk),
 * {@link LockNode#edgeBetween} (scan of the source's out-edges) and {@link Edge#knows} (scan of the
 * occurrences). {@code locks} is how many other locks the registry holds; {@code fanOut} how many edges the
 * source lock has (the wanted one is the last). The targets have an edge out each, recorded from another
 * thread, so that the edges into them are kept by the source: an edge into a lock without any, or into a lock
 * that one thread alone has used, is parked on that lock, and found there with a compare or two whatever the
 * source's fan-out.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class GraphBenchmark {
    @Param({"1000", "500000"})
    public int locks;

    @Param({"1", "16"})
    public int fanOut;

    LockOrderGraph graph;
    Object[] keepAlive;
    Object fromLock;
    Object toLock;
    LockNode from;
    LockNode to;
    Edge edge;
    long threadId;
    long[] held;

    @Setup(Level.Trial)
    public void build() {
        graph = new LockOrderGraph(finding -> { });
        keepAlive = new Object[locks];
        for (int i = 0; i < locks; i++) {
            keepAlive[i] = new Object();
            graph.node(keepAlive[i], "java.lang.Object");
        }
        fromLock = new Object();
        toLock = new Object();
        from = graph.node(fromLock, "java.lang.Object");
        threadId = Thread.currentThread().getId();
        LockNode sink = graph.node(keepAlive[locks - 1], "java.lang.Object");
        for (int i = 0; i < fanOut - 1; i++) {
            LockNode other = graph.node(keepAlive[i], "java.lang.Object");
            graph.record(other, sink, occurrence(threadId + 1));
            graph.record(from, other, occurrence(threadId));
        }
        to = graph.node(toLock, "java.lang.Object");
        graph.record(to, sink, occurrence(threadId + 1));
        graph.record(from, to, occurrence(threadId));
        edge = from.edgeTo(to);
        held = new long[] {from.id};
    }

    private static Occurrence occurrence(long threadId) {
        return new Occurrence(threadId, "bench", Occurrence.EXCLUSIVE, Occurrence.EXCLUSIVE, false, new long[0], 1,
                new StackTraceElement[0], new StackTraceElement[0]);
    }

    @Benchmark
    public LockNode registryLookup() {
        return graph.node(toLock, "java.lang.Object");
    }

    @Benchmark
    public Edge edgeBetween() {
        return LockNode.edgeBetween(from, to);
    }

    @Benchmark
    public boolean edgeKnows() {
        return edge.knows(threadId, 1, Occurrence.EXCLUSIVE, Occurrence.EXCLUSIVE, false, held, 1);
    }

    /** What ThreadState.checkOrder does per held lock on the fast path, minus the thread-local. */
    @Benchmark
    public boolean knownEdgeCheck() {
        LockNode target = graph.node(toLock, "java.lang.Object");
        Edge e = LockNode.edgeBetween(from, target);
        return e != null && e.knows(threadId, 1, Occurrence.EXCLUSIVE, Occurrence.EXCLUSIVE, false, held, 1);
    }
}
