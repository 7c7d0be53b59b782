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

    private final long[] sitePairs = new long[SIZE];
    private final LockNode[] heldNodes = new LockNode[SIZE];
    private final LockNode[] takenNodes = new LockNode[SIZE];
    /** heldMode, takenMode and nonBlocking packed: see {@link #kind}. */
    private final byte[] kinds = new byte[SIZE];
    private final long[] segments = new long[SIZE];

    static byte kind(byte heldMode, byte takenMode, boolean nonBlocking) {
        return (byte) (1 | heldMode << 1 | takenMode << 2 | (nonBlocking ? 8 : 0));
    }

    private static int slot(long sitePair) {
        return (int) ((sitePair * 0x9E3779B97F4A7C15L) >>> 58); // SIZE = 2^6
    }

    /** @return whether {@code held -> taken} was checked already in exactly this way */
    boolean taken(long sitePair, Object heldIdentity, Object takenIdentity, byte kind, long segment) {
        int i = slot(sitePair);
        if (sitePairs[i] != sitePair || kinds[i] != kind || segments[i] != segment) return false;
        LockNode held = heldNodes[i];
        LockNode taken = takenNodes[i];
        return held != null && taken != null && held.refersTo(heldIdentity) && taken.refersTo(takenIdentity);
    }

    void remember(long sitePair, LockNode held, LockNode taken, byte kind, long segment) {
        int i = slot(sitePair);
        sitePairs[i] = sitePair;
        heldNodes[i] = held;
        takenNodes[i] = taken;
        kinds[i] = kind;
        segments[i] = segment;
    }
}
