package io.lockwatch.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.runtime.report.PotentialDeadlock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Memory-related behaviour of the graph: shared occurrences, searches skipped, inversions found at the cap. */
class LockOrderGraphTest {
    private static final StackTraceElement[] HELD = {new StackTraceElement("A", "outer", "A.java", 1)};
    private static final StackTraceElement[] TAKEN = {new StackTraceElement("A", "inner", "A.java", 2)};
    private final long segment1 = SegmentGraph.firstSegmentOf(7001);
    private final long segment2 = SegmentGraph.firstSegmentOf(7002);
    private final List<PotentialDeadlock> found = new ArrayList<>();

    private Occurrence occ(long thread, long segment) {
        return new Occurrence(thread, "t" + thread, Occurrence.EXCLUSIVE, Occurrence.EXCLUSIVE, false, new long[0], segment,
                HELD, TAKEN);
    }

    @Test
    void newEdgesTakenTheSameWayShareTheirOccurrences() {
        LockOrderGraph graph = new LockOrderGraph(found::add);
        List<Object> keep = new ArrayList<>();
        Occurrence[] first = null;
        for (int i = 0; i < 100; i++) {
            Object outer = new Object();
            Object inner = new Object();
            keep.add(outer);
            keep.add(inner);
            LockNode from = graph.node(outer, "Outer");
            LockNode to = graph.node(inner, "Inner");
            graph.record(from, to, occ(7001, segment1));
            Occurrence[] occurrences = from.edgeTo(to).occurrences();
            if (first == null) first = occurrences;
            assertSame(first, occurrences, "edge " + i);
        }
    }

    /**
     * A program that takes two short-lived locks in both orders has an inversion in its code, even if both
     * locks are gone by the time the detector looks (it once skipped such edges, and lost the finding
     * whenever a GC came first).
     */
    @Test
    void anInversionIsReportedEvenWhenItsLocksWereCollectedBeforeTheSearch() throws InterruptedException {
        LockOrderGraph graph = new LockOrderGraph(found::add);
        Object a = new Object();
        Object b = new Object();
        LockNode nodeA = graph.node(a, "A");
        LockNode nodeB = graph.node(b, "B");
        graph.record(nodeA, nodeB, occ(7101, segment1));
        graph.record(nodeB, nodeA, occ(7102, segment2));
        a = null;
        b = null;
        for (int i = 0; i < 50 && (nodeA.isAlive() || nodeB.isAlive()); i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(false, nodeA.isAlive() || nodeB.isAlive(), "the locks should have been collected");
        graph.detect();
        assertEquals(1, found.size());
    }

    @Test
    void anEdgeIntoALockWithoutOutgoingEdgesIsNotSearchedButTheClosingEdgeIs() {
        LockOrderGraph graph = new LockOrderGraph(found::add);
        Object a = new Object();
        Object b = new Object();
        LockNode nodeA = graph.node(a, "A");
        LockNode nodeB = graph.node(b, "B");
        graph.record(nodeA, nodeB, occ(7001, segment1));
        graph.detect();
        assertEquals(0, stat(graph, "cycleSearches"));
        assertEquals(1, stat(graph, "cycleSearchesSkipped"));
        graph.record(nodeB, nodeA, occ(7002, segment2));
        graph.detect();
        assertEquals(1, stat(graph, "cycleSearches"));
        assertEquals(1, found.size());
    }

    @Test
    void anInversionAmongShortLivedLocksIsFoundWhenTheGraphIsFull() {
        int cap = 1024;
        LockOrderGraph graph = new LockOrderGraph(found::add, 256, cap);
        // Live locks (as the GC may leave dead ones uncleared for long) fill the graph, each pair an edge.
        List<Object> keep = new ArrayList<>();
        for (int i = 0; i < 20 * cap; i++) {
            Object outer = new Object();
            Object inner = new Object();
            keep.add(outer);
            keep.add(inner);
            graph.record(graph.node(outer, "Outer"), graph.node(inner, "Inner"), occ(7001, segment1));
        }
        graph.detect();
        Object a = new Object();
        Object b = new Object();
        graph.record(graph.node(a, "A"), graph.node(b, "B"), occ(7001, segment1));
        for (int i = 0; i < cap / 16; i++) { // some churn between the two halves of the inversion
            Object outer = new Object();
            Object inner = new Object();
            keep.add(outer);
            keep.add(inner);
            graph.record(graph.node(outer, "Outer"), graph.node(inner, "Inner"), occ(7001, segment1));
        }
        graph.record(graph.node(b, "B"), graph.node(a, "A"), occ(7002, segment2));
        graph.detect();
        assertEquals(1, found.size());
        assertEquals(0, graph.locksDropped());
        assertTrue(graph.locksEvicted() > 0);
        assertTrue(graph.locksTracked() <= cap);
        assertTrue(graph.edges() <= cap, "edges go with their evicted source: " + graph.edges());
    }

    private static long stat(LockOrderGraph graph, String name) {
        io.lockwatch.runtime.report.JsonWriter json = new io.lockwatch.runtime.report.JsonWriter();
        json.beginObject();
        graph.writeStats(json);
        json.endObject();
        String text = json.toString();
        int at = text.indexOf("\"" + name + "\":");
        assertTrue(at >= 0, name + " in " + text);
        int start = at + name.length() + 3;
        int end = start;
        while (end < text.length() && (Character.isDigit(text.charAt(end)) || text.charAt(end) == '-' || text.charAt(end) == ' ')) end++;
        return Long.parseLong(text.substring(start, end).trim());
    }
}
