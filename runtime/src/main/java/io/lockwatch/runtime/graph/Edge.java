package io.lockwatch.runtime.graph;

import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * A -> B: some thread acquired B while it held A.
 *
 * <p>A <em>shared parked</em> edge has no {@code to}: it stands for "from A, taken this way" in the parked
 * edges of every lock that was taken the same way under A (see {@link LockNode}, "parked", and
 * {@link LockOrderGraph#record}). It is never changed: a lock that needs a different one gets a copy of its
 * own, and a lock that publishes its parked edges gives each one its own edge with itself as {@code to}.
 */
public final class Edge {
    /** Distinct occurrences kept per edge; more are counted in {@code stats.occurrencesDropped}. */
    static final int MAX_OCCURRENCES = 8;
    private static final Occurrence[] NONE = new Occurrence[0];
    private static final AtomicReferenceFieldUpdater<Edge, Occurrence[]> OCCURRENCES =
            AtomicReferenceFieldUpdater.newUpdater(Edge.class, Occurrence[].class, "occurrences");

    public final LockNode from;
    public final LockNode to;
    private volatile Occurrence[] occurrences = NONE;

    Edge(LockNode from, LockNode to) {
        this.from = from;
        this.to = to;
    }

    /** An edge with these occurrences already (an array never written after publication, so it may be shared). */
    Edge(LockNode from, LockNode to, Occurrence[] occurrences) {
        this.from = from;
        this.to = to;
        this.occurrences = occurrences;
    }

    /** Is this a shared parked edge (no {@code to}, never changed)? */
    boolean isShared() {
        return to == null;
    }

    public Occurrence[] occurrences() {
        return occurrences;
    }

    /**
     * The fast-path question: has this kind of occurrence been recorded already? A short scan, no
     * allocation. A full edge counts as known, so a pool of a thousand threads costs nothing more.
     */
    public boolean knows(long threadId, long segment, byte heldMode, byte takenMode, boolean nonBlocking, long[] held,
                         int heldCount) {
        Occurrence[] current = occurrences;
        if (current.length >= MAX_OCCURRENCES) return true;
        for (Occurrence o : current) {
            if (o.covers(threadId, segment, heldMode, takenMode, nonBlocking, held, heldCount)) return true;
        }
        return false;
    }

    /** @return false when the occurrence was already there or the edge is full */
    boolean add(Occurrence occurrence) {
        return add(occurrence, null);
    }

    /**
     * Like {@link #add(Occurrence)}; {@code single}, when not null, is a one-element array holding
     * {@code occurrence} that other edges may share: a new edge takes it instead of an array of its own
     * (arrays here are never written after publication, so sharing them is safe).
     */
    boolean add(Occurrence occurrence, Occurrence[] single) {
        while (true) {
            Occurrence[] current = occurrences;
            if (current.length == 0 && single != null) {
                if (OCCURRENCES.compareAndSet(this, current, single)) return true;
                continue;
            }
            if (current.length >= MAX_OCCURRENCES) return false;
            for (Occurrence o : current) {
                if (o.covers(occurrence.threadId, occurrence.segment, occurrence.heldMode, occurrence.takenMode,
                        occurrence.nonBlocking, occurrence.gates, occurrence.gates.length)) {
                    return false;
                }
            }
            Occurrence[] grown = new Occurrence[current.length + 1];
            System.arraycopy(current, 0, grown, 0, current.length);
            grown[current.length] = occurrence;
            if (OCCURRENCES.compareAndSet(this, current, grown)) return true;
        }
    }
}
