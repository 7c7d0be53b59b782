package io.lockwatch.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

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
}
