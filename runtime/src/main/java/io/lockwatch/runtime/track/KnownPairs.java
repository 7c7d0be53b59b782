package io.lockwatch.runtime.track;

import io.lockwatch.runtime.graph.LockNode;

/**
 * Per-thread memory of the nested acquisitions this thread has already checked, so that a loop which
 * takes lock B inside lock A over and over pays the full known-edge check (node lookups, the edge scan,
 * the occurrence scan) only once.
 *
 * <p>Keyed by the pair of call sites, which are constants of the instrumented code, so finding the entry
 * needs no hashing of the locks themselves; the entry then names the two locks (weakly, through their
 * graph nodes) and the modes it was checked for. A hit needs the same two lock objects, the same modes,
 * the same happens-before segment and nothing else held: exactly the occurrence the graph already has,
 * so skipping the check loses nothing. Direct-mapped and fixed in size; a miss simply checks in full.
 */
final class KnownPairs {
    private static final int SIZE = 64;

    /**
     * One remembered nesting. Immutable and replaced whole, so a probe reads one array element and then
     * one object's fields: fewer loads and bounds checks than parallel arrays, on the hottest path we have.
     */
    private static final class Entry {
        final long sitePair;
        final long segment;
        final LockNode held;
        final LockNode taken;
        /** heldMode, takenMode and nonBlocking packed: see {@link #kind}. */
        final byte kind;

        Entry(long sitePair, long segment, LockNode held, LockNode taken, byte kind) {
            this.sitePair = sitePair;
            this.segment = segment;
            this.held = held;
            this.taken = taken;
            this.kind = kind;
        }
    }

    private final Entry[] entries = new Entry[SIZE];

    static byte kind(byte heldMode, byte takenMode, boolean nonBlocking) {
        return (byte) (1 | heldMode << 1 | takenMode << 2 | (nonBlocking ? 8 : 0));
    }

    private static int slot(long sitePair) {
        return (int) ((sitePair * 0x9E3779B97F4A7C15L) >>> 58); // SIZE = 2^6
    }

    /**
     * @return whether {@code held -> taken} was checked already in exactly this way. A pair with an unknown
     *         site, or a thread whose segment is not looked up yet (0), is never remembered, so it misses here.
     */
    boolean taken(long sitePair, Object heldIdentity, Object takenIdentity, byte kind, long segment) {
        Entry e = entries[slot(sitePair)];
        return e != null && e.sitePair == sitePair && e.kind == kind && e.segment == segment
                && e.held.refersTo(heldIdentity) && e.taken.refersTo(takenIdentity);
    }

    /** Only for pairs of two known sites and a looked-up segment (see {@link #taken}). */
    void remember(long sitePair, LockNode held, LockNode taken, byte kind, long segment) {
        entries[slot(sitePair)] = new Entry(sitePair, segment, held, taken, kind);
    }
}
