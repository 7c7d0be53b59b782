package io.lockwatch.runtime.track;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.runtime.graph.LockNode;
import io.lockwatch.runtime.graph.LockOrderGraph;
import io.lockwatch.runtime.graph.Occurrence;
import org.junit.jupiter.api.Test;

/**
 * The memo's table of locks taken inside two held ones ({@link KnownPairs#takenInside}) answers only for
 * exactly the acquisition it was told about, and a thread's order check still records every new edge of a
 * nest it has remembered.
 */
class KnownPairsInsideTest {
    private final LockOrderGraph graph = new LockOrderGraph(finding -> { });
    private final Object outer = new Object();
    private final Object inner = new Object();
    private final Object taken = new Object();
    private final long heldSites = StackCache.key(21, 22);
    private final int exclusive = KnownPairs.kind(Occurrence.EXCLUSIVE, Occurrence.EXCLUSIVE, Occurrence.EXCLUSIVE, false);
    private final KnownPairs triples = new KnownPairs();

    private void rememberTheTriple() {
        triples.rememberInside(heldSites, 23, graph.node(outer, "Outer"), graph.node(inner, "Inner"), graph.node(taken, "Taken"),
                exclusive, 1);
    }

    @Test
    void theSameTripleAtTheSameSitesInTheSameSegmentIsKnown() {
        rememberTheTriple();
        assertTrue(triples.takenInside(heldSites, 23, outer, inner, taken, exclusive, 1));
    }

    @Test
    void anythingElseIsCheckedInFull() {
        rememberTheTriple();
        assertFalse(triples.takenInside(heldSites, 23, outer, inner, taken, exclusive, 2), "a new happens-before segment");
        assertFalse(triples.takenInside(heldSites, 23, outer, inner, new Object(), exclusive, 1), "another lock taken");
        assertFalse(triples.takenInside(heldSites, 23, outer, new Object(), taken, exclusive, 1), "another inner lock held");
        assertFalse(triples.takenInside(heldSites, 23, new Object(), inner, taken, exclusive, 1), "another outer lock held");
        assertFalse(triples.takenInside(heldSites, 23, inner, outer, taken, exclusive, 1), "the held ones the other way round");
        assertFalse(triples.takenInside(heldSites, 24, outer, inner, taken, exclusive, 1), "another site of the lock taken");
        assertFalse(triples.takenInside(StackCache.key(21, 25), 23, outer, inner, taken, exclusive, 1), "another site held");
        assertFalse(triples.takenInside(heldSites, 23, outer, inner, taken,
                KnownPairs.kind(Occurrence.EXCLUSIVE, Occurrence.EXCLUSIVE, Occurrence.EXCLUSIVE, true), 1), "a tryLock");
        assertFalse(triples.takenInside(heldSites, 23, outer, inner, taken,
                KnownPairs.kind(Occurrence.SHARED, Occurrence.EXCLUSIVE, Occurrence.EXCLUSIVE, false), 1), "the outer lock shared");
        assertFalse(triples.takenInside(heldSites, 23, outer, inner, taken,
                KnownPairs.kind(Occurrence.EXCLUSIVE, Occurrence.SHARED, Occurrence.EXCLUSIVE, false), 1), "the inner lock shared");
    }

    @Test
    void nothingIsKnownBeforeItWasRemembered() {
        assertFalse(triples.takenInside(heldSites, 23, outer, inner, taken, exclusive, 0));
    }

    /** Three deep at the same three sites, again and again, then with another lock at each level in turn. */
    @Test
    void aRememberedNestStillRecordsTheEdgesOfAnotherLockAtAnyLevel() {
        ThreadState thread = new ThreadState(Thread.currentThread());
        int[] sites = {
            CallSites.register("Triples", "outer", "Triples.java", 1),
            CallSites.register("Triples", "inner", "Triples.java", 2),
            CallSites.register("Triples", "taken", "Triples.java", 3)};
        for (int i = 0; i < 3; i++) nest(thread, sites, outer, inner, taken);
        Object[] others = {new Object(), new Object(), new Object()};
        nest(thread, sites, outer, inner, others[2]);
        nest(thread, sites, outer, others[1], taken);
        nest(thread, sites, others[0], inner, taken);
        assertEdge(outer, others[2]);
        assertEdge(inner, others[2]);
        assertEdge(outer, others[1]);
        assertEdge(others[1], taken);
        assertEdge(others[0], inner);
        assertEdge(others[0], taken);
    }

    private void nest(ThreadState thread, int[] sites, Object... locks) {
        for (int i = 0; i < locks.length; i++) {
            assertTrue(thread.acquiring(graph, locks[i], locks[i], Occurrence.EXCLUSIVE, sites[i], false, 16));
        }
        for (int i = locks.length - 1; i >= 0; i--) thread.released(locks[i]);
    }

    private void assertEdge(Object from, Object to) {
        assertNotNull(LockNode.edgeBetween(graph.node(from, "From"), graph.node(to, "To")), "an edge " + from + " -> " + to);
    }
}
