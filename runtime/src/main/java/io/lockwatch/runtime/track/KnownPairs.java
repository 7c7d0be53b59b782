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
 *
 * <p>A second, smaller table does the same for a lock taken with two held ({@link #takenInside}): the same
 * three objects at the same three sites, the same way. In H2 every transaction takes a map's bins under its
 * connection's and its session's locks (twenty-seventh round). It is probed from the full check, not from the
 * lock sites, so the code compiled at every site stays as it was, and made at its first use.
 */
final class KnownPairs {
    private static final int SIZE = 64;
    private static final int INSIDE_SIZE = 32;

    /**
     * One remembered nesting: a probe reads one array element and then one object's fields, fewer loads and
     * bounds checks than parallel arrays, on the hottest path we have. Rewritten in place when its slot is
     * reused: the table is its thread's alone, and a thread that locks fresh objects in pairs reuses a slot
     * at every new pair, where a new entry each time was garbage while a service starts (about 0.4 MiB in
     * H2's setup, fifty-seventh round).
     */
    private static final class Entry {
        /** The two sites of a pair; for a lock taken inside two, the two held locks' sites. */
        long sitePair;
        /** For a lock taken inside two, its own site; 0 for a pair. */
        int site;
        long segment;
        /** For a lock taken inside two, the outer of them; null for a pair. */
        LockNode outer;
        LockNode held;
        LockNode taken;
        /** The modes and the kind of acquisition packed: see {@link #kind}. */
        int kind;

        void set(long sitePair, int site, long segment, LockNode outer, LockNode held, LockNode taken, int kind) {
            this.sitePair = sitePair;
            this.site = site;
            this.segment = segment;
            this.outer = outer;
            this.held = held;
            this.taken = taken;
            this.kind = kind;
        }
    }

    /**
     * Made at the first pair remembered: until then the shared empty table, which the probe reads as it reads
     * any (no test on the hot path). Most threads never nest two locks.
     */
    private Entry[] entries = NONE_YET;
    private static final Entry[] NONE_YET = new Entry[SIZE];
    private Entry[] inside; // the locks taken with two held

    static byte kind(byte heldMode, byte takenMode, boolean nonBlocking) {
        return (byte) (1 | heldMode << 1 | takenMode << 2 | (nonBlocking ? 8 : 0));
    }

    /** The three modes and the kind of acquisition of a lock taken inside two: {@link #kind} and the outer's mode. */
    static int kind(byte outerMode, byte innerMode, byte takenMode, boolean nonBlocking) {
        return kind(innerMode, takenMode, nonBlocking) | outerMode << 4;
    }

    private static int slot(long sitePair) {
        return (int) ((sitePair * 0x9E3779B97F4A7C15L) >>> 58); // SIZE = 2^6
    }

    private static int insideSlot(long heldSites, int site) {
        return (int) (((heldSites * 31 + site) * 0x9E3779B97F4A7C15L) >>> 59); // INSIDE_SIZE = 2^5
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
        if (entries == NONE_YET) entries = new Entry[SIZE];
        entryAt(entries, slot(sitePair)).set(sitePair, 0, segment, null, held, taken, kind);
    }

    /** The entry of a slot, made at the slot's first use and rewritten from then on. */
    private static Entry entryAt(Entry[] table, int slot) {
        Entry e = table[slot];
        if (e == null) table[slot] = e = new Entry();
        return e;
    }

    /**
     * @return whether {@code taken} was taken already in exactly this way inside {@code outer} and then
     *         {@code inner}; {@code heldSites} is {@link StackCache#key} of the two held locks' sites. Never
     *         remembered with an unknown site or segment, as for pairs.
     */
    boolean takenInside(long heldSites, int site, Object outer, Object inner, Object taken, int kind, long segment) {
        Entry[] table = inside;
        Entry e = table == null ? null : table[insideSlot(heldSites, site)];
        return e != null && e.sitePair == heldSites && e.site == site && e.kind == kind && e.segment == segment
                && e.taken.refersTo(taken) && e.held.refersTo(inner) && e.outer.refersTo(outer);
    }

    /** Only for three known sites and a looked-up segment (see {@link #takenInside}). */
    void rememberInside(long heldSites, int site, LockNode outer, LockNode inner, LockNode taken, int kind, long segment) {
        if (inside == null) inside = new Entry[INSIDE_SIZE];
        entryAt(inside, insideSlot(heldSites, site)).set(heldSites, site, segment, outer, inner, taken, kind);
    }
}
