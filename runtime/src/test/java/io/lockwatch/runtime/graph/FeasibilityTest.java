package io.lockwatch.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The rules that decide whether a cycle of two edges can deadlock, one by one. */
class FeasibilityTest {
    private static final StackTraceElement[] NO_STACK = new StackTraceElement[0];
    private final long concurrentA = SegmentGraph.firstSegmentOf(9001).segment();
    private final long concurrentB = SegmentGraph.firstSegmentOf(9002).segment();
    private final Object a = new Object();
    private final Object b = new Object();
    private final LockNode nodeA = new LockNode(a, "A", 1, null);
    private final LockNode nodeB = new LockNode(b, "B", 2, null);

    private Edge[] cycle(Occurrence ab, Occurrence ba) {
        Edge e1 = new Edge(nodeA, nodeB);
        Edge e2 = new Edge(nodeB, nodeA);
        e1.add(ab);
        e2.add(ba);
        return new Edge[] {e1, e2};
    }

    private Occurrence occ(long thread, long segment, byte held, byte taken, boolean nonBlocking, long... gates) {
        return new Occurrence(thread, "t" + thread, held, taken, nonBlocking, gates, segment, NO_STACK, NO_STACK);
    }

    @Test
    void twoThreadsInOppositeOrderIsReal() {
        assertNotNull(Feasibility.witness(cycle(occ(1, concurrentA, (byte) 0, (byte) 0, false),
                occ(2, concurrentB, (byte) 0, (byte) 0, false))));
    }

    @Test
    void oneThreadCannotDeadlockWithItself() {
        assertNull(Feasibility.witness(cycle(occ(1, concurrentA, (byte) 0, (byte) 0, false),
                occ(1, concurrentA, (byte) 0, (byte) 0, false))));
    }

    @Test
    void tryLockClosesNoCycle() {
        assertNull(Feasibility.witness(cycle(occ(1, concurrentA, (byte) 0, (byte) 0, false),
                occ(2, concurrentB, (byte) 0, (byte) 0, true))));
    }

    @Test
    void readersDoNotBlockReaders() {
        // b is held for reading by thread 2 and wanted for reading by thread 1.
        assertNull(Feasibility.witness(cycle(occ(1, concurrentA, (byte) 0, Occurrence.SHARED, false),
                occ(2, concurrentB, Occurrence.SHARED, (byte) 0, false))));
        assertNotNull(Feasibility.witness(cycle(occ(1, concurrentA, (byte) 0, Occurrence.SHARED, false),
                occ(2, concurrentB, Occurrence.EXCLUSIVE, (byte) 0, false))));
    }

    @Test
    void aCommonGateLockPreventsTheInterleaving() {
        assertNull(Feasibility.witness(cycle(occ(1, concurrentA, (byte) 0, (byte) 0, false, 77),
                occ(2, concurrentB, (byte) 0, (byte) 0, false, 77))));
        assertNotNull(Feasibility.witness(cycle(occ(1, concurrentA, (byte) 0, (byte) 0, false, 77),
                occ(2, concurrentB, (byte) 0, (byte) 0, false, 78))));
    }

    @Test
    void ordersSeparatedByStartCannotOverlap() {
        long parent = SegmentGraph.firstSegmentOf(9101).segment();
        SegmentGraph.starting(parent, 9102);
        long child = SegmentGraph.firstSegmentOf(9102).segment();
        assertNull(Feasibility.witness(cycle(occ(1, parent, (byte) 0, (byte) 0, false),
                occ(2, child, (byte) 0, (byte) 0, false))));
    }
}
