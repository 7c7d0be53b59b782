package io.lockwatch.runtime.graph;

import static io.lockwatch.runtime.graph.GraphLocks.newLock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.runtime.report.PotentialDeadlock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Memory-related behaviour of the graph: parked edges, searches skipped, inversions found at the cap. */
class LockOrderGraphTest {
    private static final StackTraceElement[] HELD = {new StackTraceElement("A", "outer", "A.java", 1)};
    private static final StackTraceElement[] TAKEN = {new StackTraceElement("A", "inner", "A.java", 2)};
    private final long segment1 = SegmentGraph.firstSegmentOf(7001).segment();
    private final long segment2 = SegmentGraph.firstSegmentOf(7002).segment();
    private final List<PotentialDeadlock> found = new ArrayList<>();

    private Occurrence occ(long thread, long segment) {
        return new Occurrence(thread, "t" + thread, Occurrence.EXCLUSIVE, Occurrence.EXCLUSIVE, false, new long[0], segment,
                HELD, TAKEN);
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
        awaitCollected(List.of(nodeA, nodeB));
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

    /**
     * H2's pattern: a fresh lock taken under a long-lived one, then collected. Its edge is parked on it, so the
     * long-lived lock's own edges never grow, and the edge goes with the fresh lock.
     */
    @Test
    void anEdgeIntoALockWithoutEdgesOutIsKeptOnThatLockAndGoesWithIt() throws InterruptedException {
        LockOrderGraph graph = new LockOrderGraph(found::add);
        Object hubLock = new Object();
        LockNode hub = graph.node(hubLock, "Hub");
        List<LockNode> bins = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            LockNode bin = graph.node(new Object(), "Bin");
            graph.record(hub, bin, occ(7001, segment1));
            assertSame(hub, LockNode.edgeBetween(hub, bin).from);
            bins.add(bin);
        }
        assertEquals(0, hub.edgeCount(), "the hub's own edges");
        assertEquals(100, graph.edges());
        awaitCollected(bins);
        cleanUntilNoEdges(graph);
        assertEquals(0, graph.edges(), "the parked edges went with their collected locks");
        assertTrue(hubLock != null);
    }

    /**
     * Fresh locks fill the edges' cap with the edges of locks the GC has collected but nobody has purged yet
     * (a thread that locks fresh objects fast does so between two rounds of the detector): the thread that
     * needs room purges them itself, and no edge is dropped. It used to drop every new edge until the
     * detector's next round.
     */
    @Test
    void theEdgesOfCollectedLocksMakeRoomAtTheEdgesCap() throws InterruptedException {
        LockOrderGraph graph = new LockOrderGraph(found::add, 1024, 1 << 16, 100);
        Object hubLock = new Object();
        LockNode hub = graph.node(hubLock, "Hub");
        List<LockNode> gone = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            LockNode bin = graph.node(new Object(), "Bin"); // unreachable at once
            graph.record(hub, bin, occ(7001, segment1));
            gone.add(bin);
        }
        awaitCollected(gone);
        assertEquals(100, graph.edges(), "the collected locks' edges count until they are purged");
        List<Object> locks = new ArrayList<>();
        for (int i = 0; i < 50; i++) graph.record(hub, newLock(graph, locks, "Bin"), occ(7001, segment1));
        assertEquals(0, stat(graph, "edgesDropped"));
        assertEquals(50, graph.edges());
        assertTrue(hubLock != null && locks.size() == 50);
    }

    /**
     * The detector's clean recounts the live edges while application threads go on adding theirs. An edge added
     * meanwhile to a lock the walk had passed was left out of the count, so the edge cap could be passed by as
     * many (a `fresh-out` run once showed 586,777 live edges against the cap of 524,288). Now edges added during
     * the walk are never lost from the count (one the walk meets as well is counted twice, until the next clean).
     *
     * <p>Nor is an edge whose creation is under way as the clean sets the count. It raised the live count first and
     * the count of created edges second, so a clean that read the second before it and set the first after it
     * lost the edge. This test failed once in CI, and that is the one way found for it to (in a round where no
     * edge was counted twice to make up for it, presumably). The window is a few nanoseconds, so the test rarely
     * meets it (once in about 400 rounds, and none in 2,000 in another series); the order of the two counts and
     * the clean's second look are what close it.
     */
    @Test
    void edgesAddedWhileTheDetectorCleansAreStillCounted() throws Exception {
        int undercounted = 0;
        for (int round = 0; round < 20; round++) {
            LockOrderGraph graph = new LockOrderGraph(found::add);
            List<Object> locks = new ArrayList<>();
            LockNode hub = newLock(graph, locks, "Hub");
            for (int i = 0; i < 20_000; i++) graph.record(hub, newLock(graph, locks, "Bin"), occ(7001, segment1));
            LockNode gone = graph.node(new Object(), "Gone"); // collected: the clean then walks every lock
            graph.record(hub, gone, occ(7001, segment1));
            awaitCollected(List.of(gone));
            CyclicBarrier start = new CyclicBarrier(2);
            Thread adder = startedAtBarrier(start, () -> {
                for (int i = 0; i < 20_000; i++) graph.record(hub, newLock(graph, locks, "Late"), occ(7002, segment2));
            });
            start.await();
            graph.clean();
            adder.join();
            if (graph.edges() < 40_000) undercounted++;
            assertEquals(40_001, locks.size()); // kept alive until here: every edge counted is live
        }
        assertEquals(0, undercounted, "rounds whose count of live edges came out below the 40,000 there are");
    }

    /**
     * A clean that walks while an application thread evicts locks at the cap counts the edges of locks evicted after
     * it passed them, and sets the count too high by those (and an edge added during the walk may be counted twice,
     * by design, to be put right by the next walk). The next clean walked again only if locks had been
     * collected meanwhile, so in a program whose locks all live the count stayed high: past the edge cap every new
     * edge was dropped and every new lock evicted others, and an inversion taken then was missed
     * (ManyShortLivedLocksTest's small heap, once in CI under load: 50,085 edges counted against the cap of 32,768).
     * Here the walks are set off by a few collected locks while pairs of live locks, three times the caps, are taken;
     * once the pairs are done, one clean must leave the count right: the edges of the pairs whose two locks are
     * still in the graph. Without the second walk, 9 or 10 rounds of 10 failed (three runs); with it after
     * removals only, 1 or 2 in about half the runs of this class, from edges added during the last walk.
     */
    @Test
    void aCountLeftHighByEvictionsDuringACleanIsPutRightByTheNextClean() throws Exception {
        int wrong = 0;
        String last = "";
        for (int round = 0; round < 10; round++) {
            LockOrderGraph graph = new LockOrderGraph(found::add, 4096, 4096, 4096);
            List<Object> locks = new ArrayList<>();
            List<LockNode> sources = new ArrayList<>();
            List<LockNode> targets = new ArrayList<>();
            AtomicBoolean done = new AtomicBoolean();
            Thread detector = new Thread(() -> {
                while (!done.get()) graph.clean();
            });
            detector.start();
            for (int i = 0; i < 6_000; i++) {
                LockNode source = newLock(graph, locks, "A");
                LockNode target = newLock(graph, locks, "B");
                graph.record(source, target, occ(7001, segment1));
                sources.add(source);
                targets.add(target);
                if (i % 100 == 0) graph.node(new Object(), "Garbage"); // collected soon: sets off a walk
            }
            done.set(true);
            detector.join();
            graph.clean();
            long pairsInGraph = 0;
            for (int i = 0; i < sources.size(); i++) {
                LockNode source = sources.get(i);
                LockNode target = targets.get(i);
                // At the edge cap, an edge may have been dropped (counted in edgesDropped): only those present count.
                boolean inGraph = source.isAlive() && target.isAlive() && LockNode.edgeBetween(source, target) != null;
                if (inGraph) pairsInGraph++;
            }
            if (graph.edges() != pairsInGraph) {
                wrong++;
                last = graph.edges() + " counted, " + pairsInGraph + " in the graph";
            }
            assertEquals(12_000, locks.size()); // kept alive until here: evicted, never collected
        }
        assertEquals(0, wrong, "rounds whose count of live edges stayed wrong after a clean (last: " + last + ")");
    }

    /**
     * The other way round: the source of a parked edge is collected while the lock it is parked on lives. The
     * clean drops the edge (it can never be taken again), for one parked edge as for several.
     */
    @Test
    void aParkedEdgeGoesWhenItsSourceIsCollected() throws InterruptedException {
        LockOrderGraph graph = new LockOrderGraph(found::add);
        Object oneLock = new Object();
        Object twoLock = new Object();
        LockNode one = graph.node(oneLock, "One");
        LockNode two = graph.node(twoLock, "Two");
        List<LockNode> sources = new ArrayList<>();
        LockNode single = graph.node(new Object(), "Source");
        graph.record(single, one, occ(7001, segment1));
        sources.add(single);
        for (int i = 0; i < 3; i++) {
            LockNode source = graph.node(new Object(), "Source");
            graph.record(source, two, occ(7002, segment1));
            sources.add(source);
        }
        assertEquals(1, one.edgesKept(), "one edge parked on the first lock");
        assertEquals(3, two.edgesKept(), "three parked on the second");
        awaitCollected(sources);
        cleanUntilNoEdges(graph);
        assertEquals(0, one.edgesKept());
        assertEquals(0, two.edgesKept());
        assertEquals(0, graph.edges());
        assertTrue(oneLock != null && twoLock != null);
    }

    /**
     * H2's commit: fresh locks taken, each the same way, under the same two long-lived locks. Past the first
     * locks (a source just created is not remembered as one), they all have the same two parked edges, one
     * set shared by all: nothing for the collector to copy per lock but its node.
     */
    @Test
    void locksTakenTheSameWayUnderTheSameLocksShareTheirParkedEdges() {
        LockOrderGraph graph = new LockOrderGraph(found::add);
        Object connectionLock = new Object();
        Object sessionLock = new Object();
        LockNode connection = graph.node(connectionLock, "Connection");
        LockNode session = graph.node(sessionLock, "Session");
        Occurrence[] underConnection = {occ(7001, segment1)};
        Occurrence[] underSession = {occ(7001, segment1)};
        List<Object> binLocks = new ArrayList<>();
        List<LockNode> bins = binsTakenUnder(graph, new LockNode[] {connection, session},
                new Occurrence[][] {underConnection, underSession}, 1200, binLocks);
        Object shared = bins.get(1100).parkedShape();
        for (LockNode bin : bins.subList(1100, 1200)) {
            assertSame(shared, bin.parkedShape(), "the same set of parked edges");
            assertTrue(LockNode.edgeBetween(connection, bin).isShared());
            assertSame(underSession, LockNode.edgeBetween(session, bin).occurrences());
        }
        assertEquals(2400, graph.edges(), "each lock's two edges count, shared or not");
        assertEquals(0, connection.edgeCount() + session.edgeCount());
        assertTrue(connectionLock != null && sessionLock != null && binLocks.size() == 1200);
    }

    /** A shared parked edge never changes: the lock that takes it a new way gets an edge of its own. */
    @Test
    void aNewOccurrenceOnASharedParkedEdgeChangesThatLocksEdgeAlone() {
        LockOrderGraph graph = new LockOrderGraph(found::add);
        Object hubLock = new Object();
        LockNode hub = graph.node(hubLock, "Hub");
        Occurrence[] taken = {occ(7001, segment1)};
        List<Object> binLocks = new ArrayList<>();
        List<LockNode> bins = binsTakenUnder(graph, hub, taken, 1100, binLocks);
        LockNode changed = bins.get(1098);
        LockNode unchanged = bins.get(1099);
        assertSame(LockNode.edgeBetween(hub, changed), LockNode.edgeBetween(hub, unchanged), "shared before");
        graph.record(hub, changed, occ(7002, segment2));
        Edge own = LockNode.edgeBetween(hub, changed);
        assertTrue(!own.isShared());
        assertSame(changed, own.to);
        assertEquals(2, own.occurrences().length);
        assertEquals(1, LockNode.edgeBetween(hub, unchanged).occurrences().length, "the shared edge is as it was");
        assertEquals(1100, graph.edges());
        assertTrue(hubLock != null && binLocks.size() == 1100);
    }

    /**
     * A lock with shared parked edges gets an edge out: each becomes an edge of its source's with that lock as
     * its far end, and the cycle through it is found; the other locks keep the shared set.
     */
    @Test
    void sharedParkedEdgesArePublishedAsTheLocksOwnAndTheCycleThroughThemIsFound() {
        LockOrderGraph graph = new LockOrderGraph(found::add);
        Object hubLock = new Object();
        Object otherLock = new Object();
        LockNode hub = graph.node(hubLock, "Hub");
        LockNode other = graph.node(otherLock, "Other");
        Occurrence[] taken = {occ(7001, segment1)};
        List<Object> binLocks = new ArrayList<>();
        List<LockNode> bins = binsTakenUnder(graph, hub, taken, 1100, binLocks);
        LockNode published = bins.get(1098);
        Object shared = bins.get(1099).parkedShape();
        assertSame(shared, published.parkedShape());
        graph.record(published, other, occ(7002, segment2));
        Edge edge = hub.edgeTo(published);
        assertTrue(edge != null && !edge.isShared(), "the hub keeps an edge of its own to the published lock");
        assertSame(published, edge.to);
        assertSame(taken, edge.occurrences());
        assertSame(shared, bins.get(1099).parkedShape(), "the other locks keep the shared set");
        graph.record(other, hub, occ(7003, SegmentGraph.firstSegmentOf(7003).segment()));
        graph.detect();
        assertEquals(1, found.size(), "hub -> bin -> other -> hub");
        assertEquals(1102, graph.edges());
        assertTrue(hubLock != null && otherLock != null && binLocks.size() == 1100);
    }

    /**
     * {@code count} fresh locks, each taken once under {@code hub} with the same occurrences: past the first
     * 1,024 (a source just created is not remembered), they share their parked edge. Their locks go to {@code keep}.
     */
    private static List<LockNode> binsTakenUnder(LockOrderGraph graph, LockNode hub, Occurrence[] taken, int count,
                                                 List<Object> keep) {
        return binsTakenUnder(graph, new LockNode[] {hub}, new Occurrence[][] {taken}, count, keep);
    }

    /** The same, each fresh lock taken under every one of {@code hubs} in turn, with {@code taken[i]} under {@code hubs[i]}. */
    private static List<LockNode> binsTakenUnder(LockOrderGraph graph, LockNode[] hubs, Occurrence[][] taken, int count,
                                                 List<Object> keep) {
        List<LockNode> bins = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Object binLock = new Object();
            keep.add(binLock);
            LockNode bin = graph.node(binLock, "Bin");
            for (int h = 0; h < hubs.length; h++) graph.record(hubs[h], bin, taken[h]);
            bins.add(bin);
        }
        return bins;
    }

    /** A -> B parked on B; B -> C publishes it into A's edges first; C -> A closes the cycle, which is found (three threads). */
    @Test
    void parkedEdgesJoinTheirSourcesWhenTheLockGetsAnEdgeOutAndTheCycleThroughThemIsFound() {
        LockOrderGraph graph = new LockOrderGraph(found::add);
        List<Object> locks = new ArrayList<>();
        LockNode nodeA = newLock(graph, locks, "A");
        LockNode nodeB = newLock(graph, locks, "B");
        LockNode nodeC = newLock(graph, locks, "C");
        graph.record(nodeA, nodeB, occ(7001, segment1));
        assertEquals(null, nodeA.edgeTo(nodeB));
        graph.record(nodeB, nodeC, occ(7002, segment2));
        assertSame(nodeB, nodeA.edgeTo(nodeB).to, "published into A's edges");
        graph.record(nodeC, nodeA, occ(7003, SegmentGraph.firstSegmentOf(7003).segment()));
        graph.detect();
        assertEquals(1, found.size());
        assertEquals(3, graph.edges());
        assertEquals(3, locks.size());
    }

    /**
     * A lock that one thread alone has used keeps the edges into it even once it has edges out (a file channel's
     * lock, taken under the caller's and taking others of its own), and nothing is searched; the first edge
     * of a second thread with it publishes them, and the cycle it closes is found.
     */
    @Test
    void aLockOneThreadAloneHasUsedKeepsItsEdgesUntilASecondThreadComes() {
        LockOrderGraph graph = new LockOrderGraph(found::add);
        List<Object> locks = new ArrayList<>();
        LockNode nodeA = newLock(graph, locks, "A");
        LockNode nodeF = newLock(graph, locks, "F");
        LockNode nodeB = newLock(graph, locks, "B");
        graph.record(nodeA, nodeF, occ(7001, segment1));
        graph.record(nodeF, nodeB, occ(7001, segment1));
        assertEquals(null, nodeA.edgeTo(nodeF), "A -> F stays with F");
        assertTrue(LockNode.edgeBetween(nodeA, nodeF) != null && LockNode.edgeBetween(nodeF, nodeB) != null);
        graph.detect();
        assertEquals(0, stat(graph, "cycleSearches"));
        assertEquals(2, graph.edges());

        graph.record(nodeB, nodeF, occ(7002, segment2));
        assertSame(nodeF, nodeA.edgeTo(nodeF).to, "published into A's edges when the second thread came");
        assertSame(nodeB, nodeF.edgeTo(nodeB).to);
        graph.detect();
        assertEquals(1, found.size(), "F -> B (thread 7001), B -> F (thread 7002)");
        assertEquals(3, graph.edges());
        assertEquals(3, locks.size());
    }

    /**
     * One thread records A -> F and F -> B as F's and B's only user while a second records B -> F: however the
     * two interleave, the cycle F -> B -> F is found (the first thread's search, or the second's, sees both).
     */
    @Test
    void aCycleClosedWhileALockStopsBeingOneThreadsIsFound() throws Exception {
        for (int round = 0; round < 2000; round++) {
            List<PotentialDeadlock> foundThisRound = new ArrayList<>();
            LockOrderGraph graph = new LockOrderGraph(foundThisRound::add);
            List<Object> locks = new ArrayList<>();
            LockNode nodeA = newLock(graph, locks, "A");
            LockNode nodeF = newLock(graph, locks, "F");
            LockNode nodeB = newLock(graph, locks, "B");
            CyclicBarrier start = new CyclicBarrier(2);
            Thread second = startedAtBarrier(start, () -> graph.record(nodeB, nodeF, occ(7002, segment2)));
            start.await();
            graph.record(nodeA, nodeF, occ(7001, segment1));
            graph.record(nodeF, nodeB, occ(7001, segment1));
            second.join();
            graph.detect();
            assertEquals(1, foundThisRound.size(), "round " + round);
            assertSame(nodeF, nodeA.edgeTo(nodeF).to, "round " + round + ": A -> F published");
            assertEquals(3, locks.size());
        }
    }

    @Test
    void aLockTakenUnderManyOthersKeepsNoneOfTheirEdges() {
        LockOrderGraph graph = new LockOrderGraph(found::add);
        Object target = new Object();
        LockNode to = graph.node(target, "Target");
        List<Object> keep = new ArrayList<>();
        List<LockNode> sources = new ArrayList<>();
        for (int i = 0; i <= LockNode.SMALL; i++) {
            Object lock = new Object();
            keep.add(lock);
            LockNode from = graph.node(lock, "Source");
            sources.add(from);
            graph.record(from, to, occ(7001, segment1));
        }
        for (LockNode from : sources) assertSame(to, from.edgeTo(to).to, "an edge past SMALL publishes them all");
        assertEquals(LockNode.SMALL + 1, graph.edges());
    }

    /**
     * Threads park edges into one lock while another gives it its first edge out, which publishes them: every
     * edge must end up among its source's edges, with the occurrence of each thread that took it.
     */
    @Test
    void noEdgeOrOccurrenceIsLostWhenParkingRacesWithPublishing() throws Exception {
        int threads = 4;
        for (int round = 0; round < 200; round++) {
            LockOrderGraph graph = new LockOrderGraph(found::add);
            Object target = new Object();
            Object next = new Object();
            LockNode to = graph.node(target, "Target");
            LockNode after = graph.node(next, "Next");
            Object[] sourceLocks = new Object[3];
            LockNode[] sources = new LockNode[sourceLocks.length];
            for (int i = 0; i < sources.length; i++) {
                sourceLocks[i] = new Object();
                sources[i] = graph.node(sourceLocks[i], "Source" + i);
            }
            CyclicBarrier start = new CyclicBarrier(threads + 1);
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long id = 7200 + t;
                long segment = SegmentGraph.firstSegmentOf(id).segment();
                running.add(startedAtBarrier(start, () -> {
                    for (LockNode from : sources) graph.record(from, to, occ(id, segment));
                }));
            }
            start.await();
            graph.record(to, after, occ(7300, SegmentGraph.firstSegmentOf(7300).segment()));
            for (Thread thread : running) thread.join();
            for (LockNode from : sources) {
                Edge edge = from.edgeTo(to);
                assertTrue(edge != null, "round " + round + ": an edge was lost");
                assertEquals(threads, edge.occurrences().length, "round " + round + ": occurrences of " + from.className);
            }
            assertEquals(sources.length + 1, graph.edges(), "round " + round);
            assertTrue(sourceLocks[0] != null && target != null && next != null);
        }
    }

    /** A thread, started now, that runs {@code work} once every party of {@code start} is there (the caller is one). */
    private static Thread startedAtBarrier(CyclicBarrier start, Runnable work) {
        Thread thread = new Thread(() -> {
            try {
                start.await();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            work.run();
        });
        thread.start();
        return thread;
    }

    /**
     * The detector's clean, round after round as the detector runs it, until no edge is left or a second has
     * passed: a collected lock reaches the registry's queue only when the reference handler thread gets to it,
     * some time after it was cleared (with thousands of references before it, after an earlier test's churn: one
     * clean alone then found nothing queued, once in CI).
     */
    private static void cleanUntilNoEdges(LockOrderGraph graph) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            graph.clean();
            if (graph.edges() == 0) return;
            Thread.sleep(10);
        }
    }

    /** Asks for collections until the nodes' locks are gone, half a second at most; the callers check the result. */
    private static void awaitCollected(List<LockNode> nodes) throws InterruptedException {
        for (int i = 0; i < 50 && nodes.stream().anyMatch(LockNode::isAlive); i++) {
            System.gc();
            Thread.sleep(10);
        }
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

    /**
     * The caps follow the heap: full from 1 GiB up, then halved until the graph takes at most a sixteenth of it. The
     * serial and parallel collectors' {@code Runtime.maxMemory()} leaves a survivor space out (-Xmx1g: 989.875 and
     * 910.5 MiB, -Xmx64m: 61.875 and 61.5 MiB, JDK 17 and 25 alike): the same -Xmx gets the same caps.
     */
    @Test
    void capsFollowTheHeap() {
        assertEquals(LockOrderGraph.MAX_LOCKS, LockOrderGraph.capFor(Long.MAX_VALUE)); // no -Xmx known
        assertEquals(LockOrderGraph.MAX_LOCKS, LockOrderGraph.capFor(1L << 30));
        assertEquals(LockOrderGraph.MAX_LOCKS, LockOrderGraph.capFor(mib(989.875)));
        assertEquals(LockOrderGraph.MAX_LOCKS, LockOrderGraph.capFor(mib(910.5)));
        assertEquals(LockOrderGraph.MAX_LOCKS / 2, LockOrderGraph.capFor(mib(800)));
        assertEquals(1 << 18, LockOrderGraph.capFor(512L << 20));
        assertEquals(1 << 15, LockOrderGraph.capFor(64L << 20));
        assertEquals(1 << 15, LockOrderGraph.capFor(mib(61.875)));
        assertEquals(1 << 15, LockOrderGraph.capFor(mib(61.5)));
        assertEquals(1 << 14, LockOrderGraph.capFor(mib(48)));
        assertEquals(LockOrderGraph.MIN_LOCKS, LockOrderGraph.capFor(1L << 20));
    }

    private static long mib(double mebibytes) {
        return (long) (mebibytes * (1 << 20));
    }
}
