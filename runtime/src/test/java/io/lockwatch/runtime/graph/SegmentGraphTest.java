package io.lockwatch.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SegmentGraphTest {
    @Test
    void startOrdersTheParentsPastBeforeTheChild() {
        long parent = SegmentGraph.firstSegmentOf(1001);
        long parentAfter = SegmentGraph.starting(parent, 1002);
        long child = SegmentGraph.firstSegmentOf(1002);
        assertTrue(SegmentGraph.happensBefore(parent, child));
        assertFalse(SegmentGraph.concurrent(parent, child));
        assertTrue(SegmentGraph.concurrent(parentAfter, child), "after the start, parent and child run together");
    }

    @Test
    void joinOrdersTheJoinedThreadBeforeTheJoiner() {
        long joiner = SegmentGraph.firstSegmentOf(2001);
        long joined = SegmentGraph.firstSegmentOf(2002);
        assertTrue(SegmentGraph.concurrent(joiner, joined));
        SegmentGraph.finished(2002, joined);
        long joinerAfter = SegmentGraph.joined(joiner, 2002);
        assertTrue(SegmentGraph.happensBefore(joined, joinerAfter));
        assertTrue(SegmentGraph.happensBefore(joiner, joinerAfter));
    }

    @Test
    void unknownThreadsAreConcurrentWithEverything() {
        long a = SegmentGraph.firstSegmentOf(3001);
        long b = SegmentGraph.firstSegmentOf(3002);
        assertTrue(SegmentGraph.concurrent(a, b));
        assertFalse(SegmentGraph.concurrent(a, a));
    }
}
