package io.lockwatch.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SegmentGraphTest {
    @Test
    void startOrdersTheParentsPastBeforeTheChild() {
        long parent = SegmentGraph.firstSegmentOf(1001).segment();
        long parentAfter = SegmentGraph.starting(parent, 1002);
        long child = SegmentGraph.firstSegmentOf(1002).segment();
        assertTrue(SegmentGraph.happensBefore(parent, child));
        assertFalse(SegmentGraph.concurrent(parent, child));
        assertTrue(SegmentGraph.concurrent(parentAfter, child), "after the start, parent and child run together");
    }

    @Test
    void joinOrdersTheJoinedThreadBeforeTheJoiner() {
        long joiner = SegmentGraph.firstSegmentOf(2001).segment();
        long joined = SegmentGraph.firstSegmentOf(2002).segment();
        assertTrue(SegmentGraph.concurrent(joiner, joined));
        long joinerAfter = SegmentGraph.joined(joiner, 2002);
        assertTrue(SegmentGraph.happensBefore(joined, joinerAfter));
        assertTrue(SegmentGraph.happensBefore(joiner, joinerAfter));
    }

    /** A thread that never locked anything before it ended (so never looked its segment up) is joined all the same. */
    @Test
    void joiningAThreadThatNeverLookedItsSegmentUpOrdersItsStart() {
        long parent = SegmentGraph.firstSegmentOf(2101).segment();
        long parentAfter = SegmentGraph.starting(parent, 2102);
        long joinerAfter = SegmentGraph.joined(parentAfter, 2102);
        assertTrue(SegmentGraph.happensBefore(parentAfter, joinerAfter));
        assertTrue(SegmentGraph.happensBefore(SegmentGraph.firstSegmentOf(2102).segment, joinerAfter));
    }

    @Test
    void unknownThreadsAreConcurrentWithEverything() {
        long a = SegmentGraph.firstSegmentOf(3001).segment();
        long b = SegmentGraph.firstSegmentOf(3002).segment();
        assertTrue(SegmentGraph.concurrent(a, b));
        assertFalse(SegmentGraph.concurrent(a, a));
    }

    /** A thread whose slot a newer thread has taken is joined without ordering: too little known, never wrong. */
    @Test
    void aThreadWhoseSlotWasTakenOrdersNothingWhenJoined() {
        long joiner = SegmentGraph.firstSegmentOf(4001).segment();
        SegmentGraph.firstSegmentOf(4002).segment();
        SegmentGraph.firstSegmentOf(4002 + SegmentGraph.THREAD_SLOTS).segment();
        assertEquals(joiner, SegmentGraph.joined(joiner, 4002));
    }

    /**
     * However many threads start, the graph keeps the most recent {@code WINDOW} segments' links: an older one
     * is forgotten (concurrent with what came after it, so at worst a false alarm) and counted.
     */
    @Test
    void segmentsPastTheWindowAreForgottenAndCounted() {
        for (long i = 0; i < SegmentGraph.KEPT_FOR_GOOD; i++) SegmentGraph.after(0, 0); // past the segments kept for good
        long parent = SegmentGraph.firstSegmentOf(5001).segment();
        SegmentGraph.starting(parent, 5002);
        long child = SegmentGraph.firstSegmentOf(5002).segment();
        assertTrue(SegmentGraph.happensBefore(parent, child));
        long droppedBefore = SegmentGraph.dropped.get();
        for (long i = 0; i < SegmentGraph.WINDOW + 5000; i++) SegmentGraph.after(i + 1, 0);
        assertFalse(SegmentGraph.happensBefore(parent, child), "the child's link is forgotten");
        assertTrue(SegmentGraph.dropped.get() - droppedBefore >= SegmentGraph.WINDOW / 64, "" + SegmentGraph.dropped);
        long recentParent = SegmentGraph.firstSegmentOf(5003).segment();
        SegmentGraph.starting(recentParent, 5004);
        assertTrue(SegmentGraph.happensBefore(recentParent, SegmentGraph.firstSegmentOf(5004).segment));
    }
}
