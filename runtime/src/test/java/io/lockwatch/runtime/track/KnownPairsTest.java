package io.lockwatch.runtime.track;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.runtime.graph.LockNode;
import io.lockwatch.runtime.graph.LockOrderGraph;
import io.lockwatch.runtime.graph.Occurrence;
import org.junit.jupiter.api.Test;

/** The memo of checked nested pairs answers only for exactly the occurrence it was told about. */
class KnownPairsTest {
    private final LockOrderGraph graph = new LockOrderGraph(finding -> { });
    private final Object outer = new Object();
    private final Object inner = new Object();
    private final LockNode outerNode = graph.node(outer, "Outer");
    private final LockNode innerNode = graph.node(inner, "Inner");
    private final long sites = StackCache.key(11, 12);
    private final byte blocking = KnownPairs.kind(Occurrence.EXCLUSIVE, Occurrence.EXCLUSIVE, false);
    private final KnownPairs pairs = new KnownPairs();

    @Test
    void theSamePairAtTheSameSitesInTheSameSegmentIsKnown() {
        pairs.remember(sites, outerNode, innerNode, blocking, 1);
        assertTrue(pairs.taken(sites, outer, inner, blocking, 1));
    }

    @Test
    void anythingElseIsCheckedInFull() {
        pairs.remember(sites, outerNode, innerNode, blocking, 1);
        assertFalse(pairs.taken(sites, outer, inner, blocking, 2), "a new happens-before segment");
        assertFalse(pairs.taken(sites, outer, new Object(), blocking, 1), "another lock taken");
        assertFalse(pairs.taken(sites, new Object(), inner, blocking, 1), "another lock held");
        assertFalse(pairs.taken(sites, inner, outer, blocking, 1), "the reverse order");
        assertFalse(pairs.taken(StackCache.key(11, 13), outer, inner, blocking, 1), "another site");
        assertFalse(pairs.taken(sites, outer, inner, KnownPairs.kind(Occurrence.EXCLUSIVE, Occurrence.EXCLUSIVE, true), 1),
                "a tryLock instead of a blocking lock");
        assertFalse(pairs.taken(sites, outer, inner, KnownPairs.kind(Occurrence.SHARED, Occurrence.EXCLUSIVE, false), 1),
                "another mode");
    }

    @Test
    void nothingIsKnownBeforeItWasRemembered() {
        assertFalse(pairs.taken(sites, outer, inner, blocking, 0));
    }

    /**
     * A slot is rewritten in place for the next pair that lands on it: the pair it held is then unknown, and the
     * new one is known with its own locks only.
     */
    @Test
    void aPairThatLandsOnARememberedPairsSlotTakesItsPlace() {
        Object otherOuter = new Object();
        Object otherInner = new Object();
        LockNode otherOuterNode = graph.node(otherOuter, "OtherOuter");
        LockNode otherInnerNode = graph.node(otherInner, "OtherInner");
        pairs.remember(sites, outerNode, innerNode, blocking, 1);
        long sameSlot = 0;
        for (int site = 13; site < 10_000 && sameSlot == 0; site++) {
            long candidate = StackCache.key(11, site);
            pairs.remember(candidate, otherOuterNode, otherInnerNode, blocking, 1);
            if (!pairs.taken(sites, outer, inner, blocking, 1)) sameSlot = candidate;
        }
        assertTrue(sameSlot != 0, "some pair of sites shares the first one's slot");
        assertTrue(pairs.taken(sameSlot, otherOuter, otherInner, blocking, 1));
        assertFalse(pairs.taken(sameSlot, outer, inner, blocking, 1), "the pair it replaced: not its locks");

        pairs.remember(sites, outerNode, innerNode, blocking, 2);
        assertTrue(pairs.taken(sites, outer, inner, blocking, 2));
        assertFalse(pairs.taken(sameSlot, otherOuter, otherInner, blocking, 1), "replaced in its turn");
    }
}
