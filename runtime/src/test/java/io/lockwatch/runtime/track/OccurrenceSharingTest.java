package io.lockwatch.runtime.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.runtime.graph.LockNode;
import io.lockwatch.runtime.graph.LockOrderGraph;
import io.lockwatch.runtime.graph.Occurrence;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A thread that locks fresh objects at the same two sites makes a new edge per pair, all taken the same way:
 * they share one occurrence array (the memory case's ten million pairs depend on it), and any difference
 * in the way gets an occurrence of its own.
 */
class OccurrenceSharingTest {
    private final LockOrderGraph graph = new LockOrderGraph(finding -> { });
    private final ThreadState thread = new ThreadState(Thread.currentThread());
    private final int outerSite = CallSites.register("Sharing", "outer", "Sharing.java", 10);
    private final int innerSite = CallSites.register("Sharing", "inner", "Sharing.java", 11);
    private final List<Object> keep = new ArrayList<>();

    /** Takes a fresh pair nested (the inner one under {@code gate}, if any, and the outer); returns the edge's occurrences. */
    private Occurrence[] freshPair(Object gate) {
        Object outer = new Object();
        Object inner = new Object();
        keep.add(outer);
        keep.add(inner);
        if (gate != null) assertTrue(thread.acquiring(graph, gate, gate, Occurrence.EXCLUSIVE, outerSite + 100, false, 16));
        assertTrue(thread.acquiring(graph, outer, outer, Occurrence.EXCLUSIVE, outerSite, false, 16));
        assertTrue(thread.acquiring(graph, inner, inner, Occurrence.EXCLUSIVE, innerSite, false, 16));
        thread.released(inner);
        thread.released(outer);
        if (gate != null) thread.released(gate);
        return LockNode.edgeBetween(graph.node(outer, "Outer"), graph.node(inner, "Inner")).occurrences();
    }

    @Test
    void edgesTakenTheSameWayShareOneOccurrenceArray() {
        Occurrence[] first = freshPair(null);
        assertEquals(1, first.length);
        for (int i = 0; i < 100; i++) assertSame(first, freshPair(null), "pair " + i);
    }

    @Test
    void anotherGateLockMakesAnotherOccurrence() {
        Object gateA = new Object();
        Object gateB = new Object();
        Occurrence[] underA = freshPair(gateA);
        assertSame(underA, freshPair(gateA));
        Occurrence[] underB = freshPair(gateB);
        assertNotSame(underA, underB, "the gates differ: so must the occurrence");
        assertEquals(1, underB[0].gates.length);
        assertSame(underB, freshPair(gateB));
    }
}
