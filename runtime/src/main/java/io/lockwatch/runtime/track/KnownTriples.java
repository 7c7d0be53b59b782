package io.lockwatch.runtime.track;

import io.lockwatch.runtime.graph.LockNode;

/**
 * Per-thread memory of the acquisitions this thread has already checked with two locks held, as
 * {@link KnownPairs} is with one: a lock taken inside two others, the same way, at the same three sites, pays
 * the full known-edge check only once. In H2 every transaction takes a map's bins under its connection's and
 * its session's locks: 40,000 full checks in the bench's first pass, then probes (twenty-seventh round).
 *
 * <p>A hit needs the same three lock objects (through their graph nodes), the same modes, the same
 * happens-before segment and nothing else held: then both edges and their gates are exactly what the check
 * that remembered it found or recorded, so skipping the check loses nothing. Direct-mapped and fixed in size;
 * a miss checks in full. Probed from the full check, not from the lock sites: the code compiled at every
 * site stays as it was.
 */
final class KnownTriples {
    private static final int SIZE = 32;

    /** One remembered acquisition; immutable and replaced whole, like {@link KnownPairs}'s entries. */
    private static final class Entry {
        final long heldSites;
        final int site;
        final long segment;
        final LockNode outer;
        final LockNode inner;
        final LockNode taken;
        final int kind;

        Entry(long heldSites, int site, long segment, LockNode outer, LockNode inner, LockNode taken, int kind) {
            this.heldSites = heldSites;
            this.site = site;
            this.segment = segment;
            this.outer = outer;
            this.inner = inner;
            this.taken = taken;
            this.kind = kind;
        }
    }

    private final Entry[] entries = new Entry[SIZE];

    /** The three modes and the kind of acquisition packed: {@link KnownPairs#kind} and the outer lock's mode. */
    static int kind(byte outerMode, byte innerMode, byte takenMode, boolean nonBlocking) {
        return KnownPairs.kind(innerMode, takenMode, nonBlocking) | outerMode << 4;
    }

    private static int slot(long heldSites, int site) {
        return (int) (((heldSites * 31 + site) * 0x9E3779B97F4A7C15L) >>> 59); // SIZE = 2^5
    }

    /**
     * @return whether {@code outer}, {@code inner} held, then {@code taken} was checked already in exactly this
     *         way; {@code heldSites} is {@link StackCache#key} of the two held locks' sites. A triple with an
     *         unknown site, or a thread whose segment is not looked up yet (0), is never remembered.
     */
    boolean taken(long heldSites, int site, Object outer, Object inner, Object taken, int kind, long segment) {
        Entry e = entries[slot(heldSites, site)];
        return e != null && e.heldSites == heldSites && e.site == site && e.kind == kind && e.segment == segment
                && e.taken.refersTo(taken) && e.inner.refersTo(inner) && e.outer.refersTo(outer);
    }

    void remember(long heldSites, int site, LockNode outer, LockNode inner, LockNode taken, int kind, long segment) {
        entries[slot(heldSites, site)] = new Entry(heldSites, site, segment, outer, inner, taken, kind);
    }
}
