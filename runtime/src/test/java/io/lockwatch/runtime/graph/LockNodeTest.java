package io.lockwatch.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A lock with many outgoing edges: none is lost or doubled while the edges move from the array to the map. */
class LockNodeTest {

    @Test
    void concurrentAddsAcrossTheMoveToTheMapKeepEveryEdgeOnce() throws Exception {
        Object fromLock = new Object();
        LockNode from = new LockNode(fromLock, "From", 1, null);
        int targets = 200;
        List<Object> keepAlive = new ArrayList<>();
        List<LockNode> nodes = new ArrayList<>();
        for (int i = 0; i < targets; i++) {
            Object lock = new Object();
            keepAlive.add(lock);
            nodes.add(new LockNode(lock, "To", 100 + i, null));
        }
        Edge[][] results = new Edge[4][targets];
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int me = t;
            threads.add(new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < targets; i++) {
                    LockNode to = nodes.get((i * 7 + me * 13) % targets);
                    results[me][(i * 7 + me * 13) % targets] = from.addEdge(to, new Edge(from, to));
                }
            }));
        }
        for (Thread t : threads) t.start();
        go.countDown();
        for (Thread t : threads) t.join();

        assertEquals(targets, from.edgeCount());
        Set<LockNode> seen = new HashSet<>();
        for (Edge e : from.edges()) seen.add(e.to);
        assertEquals(targets, seen.size());
        for (int i = 0; i < targets; i++) {
            Edge inGraph = from.edgeTo(nodes.get(i));
            for (int t = 0; t < 4; t++) assertSame(inGraph, results[t][i], "every thread got the edge in the graph");
        }
        assertEquals(targets, keepAlive.size());
    }

    @Test
    void edgesKeepEveryShapeAndPruningGoesBackToTheSmallerOnes() {
        LockNode from = new LockNode(new Object(), "From", 1, null);
        assertEquals(0, from.edges().length);
        List<Object> locks = new ArrayList<>();
        List<LockNode> targets = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Object lock = new Object();
            locks.add(lock);
            LockNode to = new LockNode(lock, "To", 10 + i, null);
            targets.add(to);
            Edge edge = from.addEdge(to, new Edge(from, to));
            assertSame(edge, from.addEdge(to, new Edge(from, to)), "no second edge to the same lock");
            assertEquals(i + 1, from.edgeCount());
            assertEquals(i + 1, from.edges().length);
            for (int j = 0; j <= i; j++) assertSame(targets.get(j), from.edgeTo(targets.get(j)).to);
        }
        for (int i = 1; i < 40; i++) targets.get(i).clear(); // as if collected
        assertEquals(39, from.pruneDeadTargets());
        assertEquals(1, from.edgeCount());
        assertSame(targets.get(0), from.edgeTo(targets.get(0)).to);

        LockNode small = new LockNode(new Object(), "Small", 2, null);
        LockNode t1 = targets.get(0);
        LockNode t2 = new LockNode(locks.get(1), "To", 99, null);
        small.addEdge(t1, new Edge(small, t1));
        small.addEdge(t2, new Edge(small, t2));
        assertEquals(2, small.edgeCount());
        t2.clear();
        assertEquals(1, small.pruneDeadTargets());
        assertSame(t1, small.edges()[0].to);
        t1.clear();
        assertEquals(1, small.pruneDeadTargets());
        assertEquals(0, small.edgeCount());
        assertEquals(null, small.edgeTo(t1));
        assertEquals(40, locks.size());
    }
    /**
     * A long-lived lock under which short-lived ones are taken (a database's lock over map bins): the edges to
     * collected locks are dropped as the map grows, not kept until the detector's next clean, and every edge
     * to a live lock stays.
     */
    @Test
    void edgesToCollectedLocksArePrunedAsTheMapGrows() {
        Object hubLock = new Object();
        LockNode hub = new LockNode(hubLock, "Hub", 1, null);
        List<Object> liveLocks = new ArrayList<>();
        List<LockNode> liveNodes = new ArrayList<>();
        int largest = 0;
        for (int i = 0; i < 20_000; i++) {
            Object lock = new Object();
            LockNode node = new LockNode(lock, "Bin", 100 + i, null);
            hub.addEdge(node, new Edge(hub, node));
            if (i % 100 == 0) {
                liveLocks.add(lock);
                liveNodes.add(node);
            } else {
                node.clear(); // as the GC does when the lock is collected
            }
            hub.pruneIfGrown();
            largest = Math.max(largest, hub.edgeCount());
        }
        // Pruned when the map has grown PRUNE_GROWTH times past its live size: never much more than that.
        assertTrue(largest <= LockNode.PRUNE_GROWTH * liveNodes.size() + LockNode.SMALL * 8, "largest map: " + largest);
        for (LockNode node : liveNodes) assertSame(node, hub.edgeTo(node).to, "an edge to a live lock was dropped");
        assertEquals(200, liveLocks.size());
        assertTrue(hubLock != null);
    }
}
