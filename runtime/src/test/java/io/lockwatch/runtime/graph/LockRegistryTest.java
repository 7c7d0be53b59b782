package io.lockwatch.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The registry at its cap: it makes room (collected locks first, then the least recently looked up) rather than drop. */
class LockRegistryTest {
    private static final int CAP = 64;

    @Test
    void aFullRegistryOfLiveLocksEvictsInsteadOfDropping() {
        LockRegistry registry = new LockRegistry(16, CAP);
        List<Object> locks = new ArrayList<>();
        List<LockNode> nodes = new ArrayList<>();
        addLiveLocks(registry, 1000, CAP, locks, nodes);
        assertEquals(0, registry.dropped.get());
        assertEquals(1000 - registry.liveCount(), registry.evicted.get());
        // An evicted node is cleared, so the graph treats it like a collected lock; the lock gets a new node.
        LockNode first = nodes.get(0);
        assertFalse(first.isAlive());
        LockNode again = registry.nodeFor(locks.get(0), "L");
        assertNotSame(first, again);
        assertTrue(again.id > first.id);
    }

    /**
     * The table at the full cap, with the few hundred locks of a service's start (H2's setup: 384): they land
     * in chunks of their own, which hold them without buckets, so few buckets are made. Kept alive in the young generation, a
     * megabyte of them moved G1's sizing of a JDK 17 host's heap; 4 KiB chunks made 1.1 MiB here, 64-bucket
     * chunks made for each lock 110 KB.
     */
    @Test
    void aFewHundredLocksMakeLittleOfTheTable() {
        LockRegistry registry = new LockRegistry(1 << 19, 1 << 19);
        List<Object> locks = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            Object lock = new Object();
            locks.add(lock);
            registry.nodeFor(lock, "L");
        }
        // 400 locks in 8,192 chunks: about 9 chunks get two or more (at most 32 here: 8 KiB of buckets).
        assertTrue(registry.bucketsMade() <= 32 * 64, "buckets made for 400 locks: " + registry.bucketsMade());
        assertEquals(400, registry.liveCount());
        for (Object lock : locks) assertNotNull(registry.nodeFor(lock, "L"));
        assertEquals(400, registry.liveCount());
    }

    /**
     * Past the cap of a table whose chunks mostly hold one lock, not made (128 locks, 256 chunks): the eviction
     * sweep makes each chunk it passes and takes bucket by bucket all the same; what stays is found as itself.
     */
    @Test
    void makingRoomInChunksNotMadeYetKeepsEveryOtherLock() {
        LockRegistry registry = new LockRegistry(1 << 14, 128);
        List<Object> locks = new ArrayList<>();
        List<LockNode> nodes = new ArrayList<>();
        addLiveLocks(registry, 600, 128, locks, nodes);
        assertEquals(0, registry.dropped.get());
        assertEquals(600 - registry.liveCount(), registry.evicted.get() + registry.purgedOnDemand.get());
        int alive = 0;
        for (int i = 0; i < locks.size(); i++) {
            if (!nodes.get(i).isAlive()) continue;
            alive++;
            assertSame(nodes.get(i), registry.nodeFor(locks.get(i), "L"), "lock " + i + " kept its node");
        }
        assertEquals(registry.liveCount(), alive);
        int[] visited = {0};
        registry.forEach(node -> visited[0]++);
        assertEquals(alive, visited[0]);
    }

    /** Threads inserting at once into a table whose chunks they are making: every lock keeps its one node. */
    @Test
    void threadsAddingChunksAtOnceLoseNoLock() throws InterruptedException {
        LockRegistry registry = new LockRegistry(1 << 16, 1 << 16); // 1,024 chunks: most made while threads race
        int threads = 4;
        int perThread = 2000;
        Object[][] locks = new Object[threads][perThread];
        LockNode[][] nodes = new LockNode[threads][perThread];
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread inserter = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    locks[thread][i] = new Object();
                    nodes[thread][i] = registry.nodeFor(locks[thread][i], "L");
                }
            });
            inserter.start();
            started.add(inserter);
        }
        go.countDown();
        for (Thread inserter : started) inserter.join();

        assertEquals(threads * perThread, registry.liveCount());
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                assertSame(nodes[t][i], registry.nodeFor(locks[t][i], "L"), "thread " + t + ", lock " + i);
            }
        }
    }

    /** A table of many chunks (each made as the first lock lands in it) finds every lock again, and makes room across them. */
    @Test
    void aTableOfManyChunksFindsEveryLockAndMakesRoomAcrossThem() {
        LockRegistry registry = new LockRegistry(8192, 4096);
        List<Object> locks = new ArrayList<>();
        List<LockNode> nodes = new ArrayList<>();
        for (int i = 0; i < 4096; i++) {
            Object lock = new Object();
            locks.add(lock);
            nodes.add(registry.nodeFor(lock, "L"));
        }
        for (int i = 0; i < locks.size(); i++) assertSame(nodes.get(i), registry.nodeFor(locks.get(i), "L"), "lock " + i);
        int[] visited = {0};
        registry.forEach(node -> visited[0]++);
        assertEquals(4096, visited[0]);
        for (int i = 0; i < 2000; i++) {
            Object lock = new Object();
            locks.add(lock);
            assertNotNull(registry.nodeFor(lock, "L"), "new lock " + i + " past the cap");
        }
        assertEquals(0, registry.dropped.get());
        assertEquals(4096 + 2000 - registry.liveCount(), registry.evicted.get() + registry.purgedOnDemand.get());
    }

    /** A map's monitor and its bins (or a loader's monitor and its class-loading locks) are locks of one object: a node each, each found again as itself. */
    @Test
    void eachPartOfAnObjectHasItsOwnNode() {
        LockRegistry registry = new LockRegistry(1, CAP); // one bucket: the two nodes share it
        Object map = new Object();
        LockNode monitor = registry.nodeFor(map, "Map");
        LockNode bins = registry.nodeFor(map, "Map", LockNode.BINS);
        assertNotSame(monitor, bins);
        assertEquals(LockNode.WHOLE, monitor.part);
        assertEquals(LockNode.BINS, bins.part);
        assertSame(monitor, registry.nodeFor(map, "Map", LockNode.WHOLE));
        assertSame(bins, registry.nodeFor(map, "Map", LockNode.BINS));
        assertEquals("Map@" + Integer.toHexString(System.identityHashCode(map)), monitor.displayName());
        assertEquals(monitor.displayName() + " (bins)", bins.displayName());
        LockNode loading = registry.nodeFor(map, "Map", LockNode.CLASS_LOADING);
        assertNotSame(monitor, loading);
        assertNotSame(bins, loading);
        assertSame(loading, registry.nodeFor(map, "Map", LockNode.CLASS_LOADING));
        assertEquals(monitor.displayName() + " (class-loading locks)", loading.displayName());
        assertEquals(3, registry.liveCount());
    }

    @Test
    void aLockLookedUpBetweenNewOnesIsNotEvicted() {
        // Marks are per bucket, and a sweep that finds every non-empty bucket marked goes round twice: with
        // more buckets than locks (as in the graph: 2^18 buckets, 2^19 locks, ~60% marked when the hand
        // comes by) that does not happen; with 16 buckets for 64 locks it would.
        LockRegistry registry = new LockRegistry(256, CAP);
        Object hot = new Object();
        List<Object> keep = new ArrayList<>();
        LockNode hotNode = null;
        for (int i = 0; i < 2000; i++) {
            LockNode node = registry.nodeFor(hot, "Hot");
            if (i == 4 * CAP) hotNode = node; // past the first sweeps, when every node was still marked
            if (hotNode != null) assertSame(hotNode, node, "the hot lock kept its node at " + i);
            Object lock = new Object();
            keep.add(lock);
            registry.nodeFor(lock, "Cold");
        }
        assertTrue(registry.evicted.get() > 1000);
        assertEquals(0, registry.dropped.get());
    }

    /**
     * A bucket holds a lone lock's node itself and a chain of entries for more (the last link again a node):
     * every lock of a shared bucket is found whatever its place in the chain, and one that was collected
     * leaves the others there, a chain of one left as the lone node.
     */
    @Test
    void locksSharingABucketAreFoundAndRemovedOneByOne() throws Exception {
        LockRegistry registry = new LockRegistry(1, CAP); // one bucket: every lock after the first shares it
        List<Object> kept = new ArrayList<>();
        List<LockNode> keptNodes = new ArrayList<>();
        List<LockNode> collected = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Object lock = new Object();
            LockNode node = registry.nodeFor(lock, "Lock" + i);
            if (i % 2 == 0) {
                collected.add(node); // the first (the chain's last link), and two in the middle
            } else {
                kept.add(lock);
                keptNodes.add(node);
            }
        }
        for (int i = 0; i < kept.size(); i++) assertSame(keptNodes.get(i), registry.nodeFor(kept.get(i), "again"));
        for (int i = 0; i < 50 && anyAlive(collected); i++) {
            System.gc();
            Thread.sleep(20);
        }
        Thread.sleep(100); // the reference handler thread enqueues them
        assertEquals(3, registry.expunge());
        assertEquals(3, registry.liveCount());
        for (int i = 0; i < kept.size(); i++) assertSame(keptNodes.get(i), registry.nodeFor(kept.get(i), "again"));
        List<LockNode> visited = new ArrayList<>();
        registry.forEach(visited::add);
        assertEquals(3, visited.size());
        assertTrue(visited.containsAll(keptNodes));

        LockRegistry lone = new LockRegistry(1, CAP);
        Object survivor = new Object();
        LockNode survivorNode = lone.nodeFor(survivor, "Survivor");
        List<LockNode> gone = new ArrayList<>();
        gone.add(lone.nodeFor(new Object(), "Gone"));
        for (int i = 0; i < 50 && anyAlive(gone); i++) {
            System.gc();
            Thread.sleep(20);
        }
        Thread.sleep(100);
        assertEquals(1, lone.expunge(), "a chain of two loses its head");
        assertSame(survivorNode, lone.nodeFor(survivor, "again"), "and the other lock is its bucket's node again");
        Object newcomer = new Object();
        LockNode newcomerNode = lone.nodeFor(newcomer, "Newcomer");
        assertSame(newcomerNode, lone.nodeFor(newcomer, "again"));
        assertSame(survivorNode, lone.nodeFor(survivor, "again"));
        assertEquals(2, lone.liveCount());
    }

    @Test
    void collectedLocksArePurgedByTheThreadThatNeedsRoom() throws Exception {
        LockRegistry registry = new LockRegistry(16, CAP);
        List<LockNode> garbage = new ArrayList<>();
        for (int i = 0; i < CAP; i++) garbage.add(registry.nodeFor(new Object(), "Garbage"));
        for (int i = 0; i < 50 && anyAlive(garbage); i++) {
            System.gc();
            Thread.sleep(20);
        }
        Thread.sleep(100); // the reference handler thread enqueues them
        List<Object> keep = new ArrayList<>();
        for (int i = 0; i < CAP; i++) {
            Object lock = new Object();
            keep.add(lock);
            assertNotNull(registry.nodeFor(lock, "Live"));
        }
        assertEquals(CAP, registry.liveCount());
        assertEquals(0, registry.evicted.get(), "no live lock was evicted while collected ones took room");
        assertEquals(CAP, registry.purgedOnDemand.get());
        assertEquals(0, registry.dropped.get());
    }

    @Test
    void halfFullAsksForAPurgeOnce() {
        LockRegistry registry = new LockRegistry(16, CAP);
        int[] asked = {0};
        registry.onPurgeWanted(() -> asked[0]++);
        List<Object> keep = new ArrayList<>();
        for (int i = 0; i < CAP; i++) {
            Object lock = new Object();
            keep.add(lock);
            registry.nodeFor(lock, "L");
        }
        assertEquals(1, asked[0]);
        registry.expunge(); // nothing collected: no new request until a purge helped
        Object another = new Object();
        keep.add(another);
        registry.nodeFor(another, "L");
        assertEquals(1, asked[0]);
    }

    private static boolean anyAlive(List<LockNode> nodes) {
        for (LockNode n : nodes) {
            if (n.isAlive()) return true;
        }
        return false;
    }

    /** Adds {@code count} locks kept alive by {@code locks}: each gets a node, and the registry stays within its cap. */
    private static void addLiveLocks(LockRegistry registry, int count, int cap, List<Object> locks, List<LockNode> nodes) {
        for (int i = 0; i < count; i++) {
            Object lock = new Object();
            locks.add(lock);
            LockNode node = registry.nodeFor(lock, "L");
            assertNotNull(node, "lock " + i + " got a node");
            nodes.add(node);
            assertTrue(registry.liveCount() <= cap);
        }
    }
}
