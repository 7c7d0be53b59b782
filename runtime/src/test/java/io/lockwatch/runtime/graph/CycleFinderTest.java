package io.lockwatch.runtime.graph;

import static io.lockwatch.runtime.graph.GraphLocks.newLock;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cycle search's own cost: it runs on the detector thread, mostly interpreted, for every new edge. */
class CycleFinderTest {
    private static final StackTraceElement[] STACK = {new StackTraceElement("A", "m", "A.java", 1)};
    private static final int WIDTH = 4;
    private static final int LAYERS = 5;

    /**
     * A search allocates a fixed amount, however many edges it walks. It once allocated an iterator for every
     * edge it looked at (about 1 MB during the H2 bench's setup): here 596 edges are walked and no cycle is found,
     * so everything it allocates is its own bookkeeping.
     */
    @Test
    void aSearchAllocatesTheSameWhateverTheNumberOfEdgesItWalks() {
        LockOrderGraph graph = new LockOrderGraph(finding -> { });
        List<Object> locks = new ArrayList<>(); // the graph holds its locks weakly
        LockNode[][] layers = new LockNode[LAYERS][WIDTH];
        for (int layer = 0; layer < LAYERS; layer++) {
            for (int i = 0; i < WIDTH; i++) layers[layer][i] = newLock(graph, locks, "L" + layer + "_" + i);
        }
        LockNode sink = newLock(graph, locks, "Sink");
        LockNode start = newLock(graph, locks, "Start");
        // Deepest first, and each edge from a thread of its own (see occurrence()): every edge is then among
        // its source's edges, which the search walks, rather than kept on its target (LockNode, "parked").
        for (LockNode last : layers[LAYERS - 1]) graph.record(last, sink, occurrence());
        for (int layer = LAYERS - 2; layer >= 0; layer--) {
            for (LockNode from : layers[layer]) {
                for (LockNode to : layers[layer + 1]) graph.record(from, to, occurrence());
            }
        }
        graph.record(start, layers[0][0], occurrence());
        Edge closing = LockNode.edgeBetween(start, layers[0][0]);

        List<Edge[]> cycles = new ArrayList<>();
        CycleFinder.CycleVisitor visitor = cycles::add;
        CycleFinder.findCycles(closing, visitor); // classes loaded and linked before measuring
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.getCurrentThreadAllocatedBytes();
        long before = threads.getCurrentThreadAllocatedBytes();
        boolean complete = CycleFinder.findCycles(closing, visitor);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertTrue(complete && cycles.isEmpty(), "the graph has no cycle to find");
        // The path list and the step counter: about 100 bytes. An allocation per edge walked would be 8 KB or more.
        assertTrue(allocated < 1024, "one search over 596 edges allocated " + allocated + " bytes");
    }

    private static long nextThread = 7001;

    /**
     * Each edge from a thread of its own: the locks are then used by several threads, and their edges are
     * among their sources' edges, where the search walks (a lock one thread alone has used keeps them).
     */
    private static Occurrence occurrence() {
        long thread = nextThread++;
        return new Occurrence(thread, "t" + thread, Occurrence.EXCLUSIVE, Occurrence.EXCLUSIVE, false, new long[0],
                SegmentGraph.firstSegmentOf(thread).segment(), STACK, STACK);
    }
}
