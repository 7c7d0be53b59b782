package io.lockwatch.runtime.graph;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Maps lock objects to their {@link LockNode}s by identity, without locking and without keeping the
 * locks alive.
 *
 * <p>A fixed table of buckets, each an immutable chain: a lookup walks the chain; an insert swaps in a
 * new head with one compare-and-set; a lock that was collected is cut out of its chain by the
 * detector thread ({@link #expunge}). Readers therefore never wait, and a thread that loses an insert
 * race finds the winner's node on its next walk, so a lock never gets two nodes.
 */
final class LockRegistry {
    private static final class Entry {
        final LockNode node;
        final Entry next;

        Entry(LockNode node, Entry next) {
            this.node = node;
            this.next = next;
        }
    }

    private final AtomicReferenceArray<Entry> buckets;
    private final int mask;
    private final int maxLocks;
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicInteger live = new AtomicInteger();
    final AtomicLong dropped = new AtomicLong();

    LockRegistry(int bucketsPowerOfTwo, int maxLocks) {
        this.buckets = new AtomicReferenceArray<>(bucketsPowerOfTwo);
        this.mask = bucketsPowerOfTwo - 1;
        this.maxLocks = maxLocks;
    }

    /** @return the lock's node, or null when the graph is full (counted in {@link #dropped}) */
    LockNode nodeFor(Object lock, String className) {
        int hash = System.identityHashCode(lock);
        int index = spread(hash) & mask;
        while (true) {
            Entry head = buckets.get(index);
            for (Entry e = head; e != null; e = e.next) {
                // The stored hash first: reading a weak reference costs a GC barrier. get() rather than
                // refersTo(), which is a native call on JDK 17 and showed up in profiles.
                if (e.node.identityHash == hash && e.node.get() == lock) return e.node;
            }
            if (live.get() >= maxLocks) {
                dropped.incrementAndGet();
                return null;
            }
            LockNode node = new LockNode(lock, className, nextId.getAndIncrement(), collected);
            if (buckets.compareAndSet(index, head, new Entry(node, head))) {
                live.incrementAndGet();
                return node;
            }
            // Lost a race with another insert in this bucket: walk the new chain again.
        }
    }

    /**
     * Removes the nodes of collected locks. Called by the detector thread only.
     *
     * @return how many nodes were removed
     */
    int expunge() {
        int removed = 0;
        Reference<?> ref;
        while ((ref = collected.poll()) != null) {
            LockNode dead = (LockNode) ref;
            int index = spread(dead.identityHash) & mask;
            while (true) {
                Entry head = buckets.get(index);
                Entry rebuilt = without(head, dead);
                if (rebuilt == head) break; // not there (already removed)
                if (buckets.compareAndSet(index, head, rebuilt)) {
                    live.decrementAndGet();
                    removed++;
                    break;
                }
            }
        }
        return removed;
    }

    /** The chain without {@code dead}; the same chain when it is not in it. Copies only the prefix. */
    private static Entry without(Entry head, LockNode dead) {
        if (head == null) return null;
        if (head.node == dead) return head.next;
        Entry rest = without(head.next, dead);
        return rest == head.next ? head : new Entry(head.node, rest);
    }

    /** Visits every live node (for statistics and cleaning); not a snapshot. */
    void forEach(java.util.function.Consumer<LockNode> visitor) {
        for (int i = 0; i < buckets.length(); i++) {
            for (Entry e = buckets.get(i); e != null; e = e.next) {
                if (e.node.isAlive()) visitor.accept(e.node);
            }
        }
    }

    int liveCount() {
        return live.get();
    }

    long createdCount() {
        return nextId.get() - 1;
    }

    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }
}
