package io.lockwatch.runtime.graph;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import jdk.internal.vm.annotation.DontInline;

/**
 * Maps lock objects to their {@link LockNode}s by identity, without locking and without keeping the
 * locks alive.
 *
 * <p>A fixed table of buckets (made in chunks as locks crowd them: {@link #chunks}), each an immutable chain: a
 * lookup walks the chain; an insert swaps in a new head with one compare-and-set; a lock that was collected is cut
 * out of its chain by the detector thread ({@link #expunge}). Readers therefore never wait, and a thread that
 * loses an insert race finds the winner's node on its next walk, so a lock never gets two nodes.
 *
 * <p>A bucket that holds one lock holds its node itself; only two or more make a chain of {@link Entry}s,
 * whose last link is again a node. With a bucket per lock at the cap, most buckets hold one lock, so a
 * lock usually costs its node alone: one object less to allocate, to load on a lookup, and for a young
 * collection to copy while the lock is alive (for a fresh lock, once).
 */
final class LockRegistry {
    /** A link of a chain of two or more locks: {@code next} is another Entry or, last, a node. */
    private static final class Entry {
        final LockNode node;
        final Object next;
        /** The lock's identity hash, here too: a lookup skips other entries without loading their node (24 bytes either way). */
        final int hash;

        Entry(LockNode node, Object next) {
            this.node = node;
            this.next = next;
            this.hash = node.identityHash;
        }
    }

    /** Collected locks an application thread purges itself, at most, before it gives up on a new lock. */
    static final int PURGE_BATCH = 1024;
    /** Slots of the memory of recently dropped locks (identity hashes), so a lock is counted once. */
    private static final int DROPPED_MEMORY = 4096;

    /**
     * The buckets, 64 to a chunk (a bucket per lock at the full cap is 2 MiB). Per chunk: null; the node of its
     * one lock, whatever its bucket; or, once a second lock lands in it, the chunk itself, an array of 64 buckets,
     * each null, a node, or an {@link Entry} chain. Locks land all over the table (by hash), so while it is sparse
     * nearly every chunk holds one lock or none: a chunk made for each cost H2's few hundred locks 110 KB kept
     * from the host's start, 4 KiB chunks 1.1 MiB (fifty-sixth and fifty-fourth rounds), which on JDK 17 moves how
     * G1 sizes the host's heap. Between an insert beside a chunk's lone lock and the chunk's making, the two (or,
     * racing, more) are a chain like a bucket's; a lookup tells them apart by identity hash, as in a bucket. (Up to
     * four locks a chunk as a chain kept a little less, but a fresh lock's lookup walked them all: fifty-sixth
     * round.) A chunk once made stays; 32 KiB of index at the full cap.
     */
    private final AtomicReferenceArray<Object> chunks;
    private static final int CHUNK_BITS = 6;
    private static final int CHUNK_MASK = (1 << CHUNK_BITS) - 1;
    private final int mask;
    private final int maxLocks;
    /** Live locks past which the detector is asked to purge collected ones (half the cap). */
    private final int purgeAt;
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicInteger live = new AtomicInteger();
    /** Locks not tracked because the registry was full: distinct locks, as far as {@link #droppedHashes} remembers. */
    final AtomicLong dropped = new AtomicLong();
    /** Lookups that found the registry full (a dropped lock is looked up again each time it is taken). */
    final AtomicLong droppedLookups = new AtomicLong();
    /** Live locks removed to make room (not looked up for longest), see {@link #evict}. */
    final AtomicLong evicted = new AtomicLong();
    /** Nodes removed per eviction at the cap: the sweep's cost is shared by the next new locks. */
    static final int EVICT_BATCH = 256;
    private final int evictBatch;
    private final AtomicInteger hand = new AtomicInteger();
    /**
     * Per bucket: a lock of it looked up or added since the eviction hand last passed. Racy on purpose (a
     * lost write only gives or takes one second chance). Allocated when live locks first pass half the cap:
     * a JVM that never comes near it pays nothing.
     */
    private volatile byte[] marks;
    private static final java.util.concurrent.atomic.AtomicReferenceFieldUpdater<LockRegistry, byte[]> MARKS =
            java.util.concurrent.atomic.AtomicReferenceFieldUpdater.newUpdater(LockRegistry.class, byte[].class, "marks");
    /** Collected locks removed by the application thread that needed the room. */
    final AtomicLong purgedOnDemand = new AtomicLong();
    /**
     * Identity hashes of recently dropped locks, by hash; racy on purpose (a miss only counts a lock twice), and made
     * at the first drop, racily too (a second array only forgets more).
     */
    private int[] droppedHashes;
    private final java.util.concurrent.atomic.AtomicBoolean purgeRequested = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Runnable requestPurge = NOTHING;

    /**
     * Does nothing: what the graph's callbacks are until they are set. A class of its own, not a lambda:
     * the graph is made in {@code premain}, where each lambda costs the JVM a class spun at run time
     * (on JDK 25 with the class-file API, interpreted).
     */
    static final Runnable NOTHING = new Runnable() {
        @Override
        public void run() {}
    };
    /** The graph's count of live edges: a purged node's edges (its own and those parked on it) go with it. */
    private volatile AtomicLong edgesLive;

    LockRegistry(int bucketsPowerOfTwo, int maxLocks) {
        this.chunks = new AtomicReferenceArray<>(Math.max(1, bucketsPowerOfTwo >>> CHUNK_BITS));
        this.mask = bucketsPowerOfTwo - 1;
        this.maxLocks = maxLocks;
        this.purgeAt = maxLocks / 2;
        this.evictBatch = Math.max(1, Math.min(EVICT_BATCH, maxLocks >> 6));
    }

    /** What to run (once, until the next {@link #expunge}) when live locks pass half the cap: wake the detector. */
    void onPurgeWanted(Runnable wake) {
        this.requestPurge = wake;
    }

    void countEdgesIn(AtomicLong liveEdges) {
        this.edgesLive = liveEdges;
    }

    /** @return the lock's node, or null when the graph is full (counted in {@link #dropped}) */
    LockNode nodeFor(Object lock, String className) {
        return nodeFor(lock, className, LockNode.WHOLE);
    }

    /**
     * @param part which of the object's locks ({@link LockNode#WHOLE}, {@link LockNode#BINS}): each has its own node
     * @return the lock's node, or null when the graph is full (counted in {@link #dropped})
     */
    LockNode nodeFor(Object lock, String className, byte part) {
        int hash = System.identityHashCode(lock);
        int index = spread(hash) & mask;
        while (true) {
            Object head = chainAt(index);
            LockNode known = find(head, hash, lock, part);
            if (known != null) {
                mark(index);
                return known;
            }
            int n = live.get();
            if (n >= maxLocks) {
                // Full. Most of it may be locks the GC has collected but nobody purged yet: make room first.
                if (purgeOnDemand() > 0) continue;
                // The rest: with G1, weakly referenced objects whose reference was promoted in the same
                // young collection are only cleared by the next marking cycle, which may be far away. Make
                // room from the locks not looked up for longest, rather than refuse every new lock.
                if (evictOnDemand() > 0) continue;
                countDropped(hash);
                return null;
            }
            if (n >= purgeAt) halfFull();
            LockNode node = new LockNode(lock, className, part, nextId.getAndIncrement(), collected, hash);
            if (replaceChain(index, head, head == null ? node : new Entry(node, head))) {
                live.incrementAndGet();
                mark(index);
                if (head != null) makeChunkIfShared(index >>> CHUNK_BITS);
                return node;
            }
            // Lost a race with another insert in this bucket: walk the new chain again.
        }
    }

    /**
     * The node of {@code lock} in a bucket, or null. The hash first: reading a weak reference costs a GC
     * barrier. get() rather than refersTo(), which is a native call on JDK 17 and showed up in profiles.
     */
    private static LockNode find(Object head, int hash, Object lock, byte part) {
        for (Object link = head; link != null; link = nextLink(link)) {
            if (hashOf(link) != hash) continue;
            LockNode node = nodeOf(link);
            if (node.get() == lock && node.part == part) return node;
        }
        return null;
    }

    /** The identity hash of a link's lock, read without loading an Entry's node. */
    private static int hashOf(Object link) {
        return link instanceof Entry ? ((Entry) link).hash : ((LockNode) link).identityHash;
    }

    /** Past half the cap: start marking buckets for eviction, and ask the detector (once) to purge. */
    @DontInline // this and the other paths of a nearly full registry stay out of the compiled lookup
    private void halfFull() {
        if (marks == null) MARKS.compareAndSet(this, null, new byte[mask + 1]);
        if (!purgeRequested.get() && purgeRequested.compareAndSet(false, true)) requestPurge.run();
    }

    /**
     * Removes the nodes of collected locks. Called by the detector thread only.
     *
     * @return how many nodes were removed
     */
    int expunge() {
        int removed = expunge(Integer.MAX_VALUE, null);
        // Ask again only after a purge that helped: a registry full of locks that are still alive (or that
        // the GC has not cleared yet) must not wake the detector for every new lock.
        if (removed > 0 || live.get() < purgeAt) purgeRequested.set(false);
        return removed;
    }

    /** Removes up to {@link #PURGE_BATCH} nodes of collected locks now, on the calling thread (counted in {@link #purgedOnDemand}). */
    int purgeOnDemand() {
        return expunge(PURGE_BATCH, purgedOnDemand);
    }

    /**
     * Removes up to {@code limit} nodes of collected locks; safe on any thread (the chains change by
     * compare-and-set). The queue's poll returns at once when it is empty.
     */
    @DontInline
    private int expunge(int limit, AtomicLong counter) {
        int removed = 0;
        Reference<?> ref;
        while (removed < limit && (ref = collected.poll()) != null) {
            LockNode dead = (LockNode) ref;
            int index = spread(dead.identityHash) & mask;
            while (true) {
                Object head = chainAt(index);
                Object rebuilt = without(head, dead);
                if (rebuilt == head) break; // not there (already removed)
                if (replaceChain(index, head, rebuilt)) {
                    live.decrementAndGet();
                    AtomicLong edges = edgesLive;
                    int kept = dead.edgesKept();
                    if (edges != null && kept > 0) edges.addAndGet(-kept);
                    removed++;
                    break;
                }
            }
        }
        if (counter != null && removed > 0) counter.addAndGet(removed);
        return removed;
    }

    /** Evicts a batch of the locks not looked up for longest now, on the calling thread: see {@link #evict}. */
    int evictOnDemand() {
        return evict(evictBatch);
    }

    /**
     * CLOCK eviction, by bucket: the hand walks the buckets; a bucket with a lock looked up (or added)
     * since the hand last passed loses its mark and stays (a second chance), an unmarked bucket is emptied:
     * its nodes are cleared, so the whole graph sees them as gone (like collected locks: their edges stop
     * counting, cycles through them are not searched). A mark per bucket rather than per node keeps the
     * node small and the sweep from touching nodes it keeps; a hot lock shelters the one or two others of
     * its bucket. Bounded work; safe on any thread.
     *
     * @return how many nodes were removed
     */
    @DontInline
    int evict(int wanted) {
        byte[] m = marks;
        if (m == null) {
            MARKS.compareAndSet(this, null, new byte[mask + 1]);
            m = marks;
        }
        int removed = 0;
        // Twice round at most: the first pass may only take the marks off. Amortized, a sweep costs a few
        // buckets per new lock, since every bucket it unmarks is emptied when the hand next comes by.
        int maxBuckets = 2 * (mask + 1);
        for (int scanned = 0; scanned < maxBuckets && removed < wanted; scanned++) {
            int index = hand.getAndIncrement() & mask;
            if (m[index] != 0) {
                m[index] = 0;
                continue;
            }
            Object head = bucketToSweep(index);
            // Empty, or an insert or a purge raced with us: leave this bucket to the next pass.
            if (head == null || !replaceChain(index, head, null)) continue;
            for (Object link = head; link != null; link = nextLink(link)) {
                LockNode node = nodeOf(link);
                boolean collected = node.isCleared();
                node.clear();
                live.decrementAndGet();
                AtomicLong edges = edgesLive;
                int kept = node.edgesKept();
                if (edges != null && kept > 0) edges.addAndGet(-kept);
                if (collected) purgedOnDemand.incrementAndGet(); else evicted.incrementAndGet();
                removed++;
            }
        }
        return removed;
    }

    /** Marks a bucket as used since the hand last passed; written only when it changes (no traffic on hot locks). */
    private void mark(int index) {
        byte[] m = marks;
        if (m != null && m[index] == 0) m[index] = 1;
    }

    /** Counts a lock that found the registry full, once while it is among the last few thousand dropped. */
    @DontInline
    private void countDropped(int hash) {
        droppedLookups.incrementAndGet();
        int slot = spread(hash) & (DROPPED_MEMORY - 1);
        // 0 is a possible identity hash but marks an empty slot: such a lock is counted on every lookup.
        int[] hashes = droppedHashes;
        if (hashes == null) droppedHashes = hashes = new int[DROPPED_MEMORY];
        if (hash != 0 && hashes[slot] == hash) return;
        hashes[slot] = hash;
        dropped.incrementAndGet();
    }

    /**
     * The bucket without {@code dead}; the same bucket when it is not in it. Copies only the prefix, and a
     * chain left with one lock becomes that lock's node.
     */
    private static Object without(Object head, LockNode dead) {
        if (head == null || head == dead) return null;
        if (!(head instanceof Entry)) return head; // another lock, alone in its bucket
        Entry e = (Entry) head;
        if (e.node == dead) return e.next;
        Object rest = without(e.next, dead);
        if (rest == e.next) return e;
        return rest == null ? e.node : new Entry(e.node, rest);
    }

    /** The link after {@code link} in its bucket; null after a node, which is always the last. */
    private static Object nextLink(Object link) {
        return link instanceof Entry ? ((Entry) link).next : null;
    }

    /** The node of a link of a bucket: an Entry's, or the node itself. */
    private static LockNode nodeOf(Object link) {
        return link instanceof Entry ? ((Entry) link).node : (LockNode) link;
    }

    /**
     * The chain that holds the lock of this bucket if the table has it: the bucket's, or, while the bucket's chunk
     * is not made, the chunk's (its lone lock, of any of its buckets).
     */
    private Object chainAt(int bucket) {
        Object slot = chunks.get(bucket >>> CHUNK_BITS);
        return isChunk(slot) ? ((AtomicReferenceArray<?>) slot).get(bucket & CHUNK_MASK) : slot;
    }

    /**
     * Puts {@code chain} where {@link #chainAt} found {@code expected}, unless that changed since. When the chunk
     * was made in between, only a lone node of this very bucket can still equal its bucket, for which the new
     * chain is as right as it was for the chunk's.
     */
    @SuppressWarnings("unchecked")
    private boolean replaceChain(int bucket, Object expected, Object chain) {
        int at = bucket >>> CHUNK_BITS;
        Object slot = chunks.get(at);
        if (isChunk(slot)) {
            return ((AtomicReferenceArray<Object>) slot).compareAndSet(bucket & CHUNK_MASK, expected, chain);
        }
        return chunks.compareAndSet(at, expected, chain);
    }

    /** Whether a slot of {@link #chunks} is a made chunk (else null, a lone lock's node, or a transient chain). */
    private static boolean isChunk(Object slot) {
        return slot instanceof AtomicReferenceArray;
    }

    /** After an insert beside another lock: if they share a chunk not made yet, it gets its buckets. */
    private void makeChunkIfShared(int at) {
        Object slot = chunks.get(at);
        if (slot instanceof Entry) makeChunk(at, slot);
    }

    /**
     * Replaces a chunk's lock or chain with the chunk, its locks spread over its buckets; nothing when the slot
     * changed meanwhile (whoever changed it tries again). Collected locks go along, to be cut out of their bucket.
     */
    @DontInline
    private void makeChunk(int at, Object chain) {
        AtomicReferenceArray<Object> chunk = new AtomicReferenceArray<>(1 << CHUNK_BITS);
        for (Object link = chain; link != null; link = nextLink(link)) {
            LockNode node = nodeOf(link);
            int bucket = spread(node.identityHash) & mask & CHUNK_MASK; // a table may be smaller than a chunk
            Object there = chunk.getPlain(bucket);
            chunk.setPlain(bucket, there == null ? node : new Entry(node, there));
        }
        chunks.compareAndSet(at, chain, chunk); // a volatile write: publishes the buckets
    }

    /** The eviction sweep's view of a bucket: its chunk made first, so the sweep takes this bucket's locks alone. */
    private Object bucketToSweep(int bucket) {
        int at = bucket >>> CHUNK_BITS;
        Object slot = chunks.get(at);
        if (slot == null) return null;
        if (!isChunk(slot)) {
            makeChunk(at, slot);
            slot = chunks.get(at);
            if (!isChunk(slot)) return null; // changed meanwhile: the next pass
        }
        return ((AtomicReferenceArray<?>) slot).get(bucket & CHUNK_MASK);
    }

    /** Visits every live node (for statistics and cleaning); not a snapshot. */
    void forEach(java.util.function.Consumer<LockNode> visitor) {
        for (int at = 0; at < chunks.length(); at++) {
            Object slot = chunks.get(at);
            if (isChunk(slot)) {
                AtomicReferenceArray<?> chunk = (AtomicReferenceArray<?>) slot;
                for (int b = 0; b < chunk.length(); b++) visitChain(chunk.get(b), visitor);
            } else {
                visitChain(slot, visitor);
            }
        }
    }

    private static void visitChain(Object chain, java.util.function.Consumer<LockNode> visitor) {
        for (Object link = chain; link != null; link = nextLink(link)) {
            LockNode node = nodeOf(link);
            if (node.isAlive()) visitor.accept(node);
        }
    }

    int liveCount() {
        return live.get();
    }

    /** Buckets made so far, in whole chunks: what the table costs a JVM with this many locks, beyond its index. */
    int bucketsMade() {
        int made = 0;
        for (int at = 0; at < chunks.length(); at++) if (isChunk(chunks.get(at))) made++;
        return made << CHUNK_BITS;
    }

    long createdCount() {
        return nextId.get() - 1;
    }

    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }
}
