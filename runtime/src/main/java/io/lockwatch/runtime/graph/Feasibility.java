package io.lockwatch.runtime.graph;

/**
 * Decides whether a cycle of edges could really deadlock, and if so with which occurrences.
 *
 * <p>A deadlock needs one thread per edge, each holding the edge's first lock and blocked on its
 * second. So a cycle is real only if we can pick one occurrence per edge such that:
 * <ul>
 *   <li>the threads are pairwise different (one thread cannot be blocked twice);</li>
 *   <li>every pick is blocking ({@code tryLock} cannot wait forever);</li>
 *   <li>at every lock of the cycle, the mode it is held in and the mode it is wanted in conflict
 *       (two read locks never block each other);</li>
 *   <li>no two picks hold a common lock (a <em>gate</em>): both would need it at once, so they cannot
 *       both be where the deadlock needs them;</li>
 *   <li>no pick happened before another through {@code Thread.start}/{@code join} ({@link SegmentGraph}).</li>
 * </ul>
 * The search is a small backtracking over at most {@link Edge#MAX_OCCURRENCES} picks per edge.
 */
final class Feasibility {
    private Feasibility() {}

    /** @return one occurrence per edge that forms a possible deadlock, or null when none does */
    static Occurrence[] witness(Edge[] cycle) {
        Occurrence[] picked = new Occurrence[cycle.length];
        return pick(cycle, 0, picked) ? picked : null;
    }

    private static boolean pick(Edge[] cycle, int index, Occurrence[] picked) {
        if (index == cycle.length) {
            // The lock between the last edge and the first: held by the first, wanted by the last.
            return conflicts(picked[0].heldMode, picked[cycle.length - 1].takenMode);
        }
        for (Occurrence candidate : cycle[index].occurrences()) {
            if (candidate.nonBlocking) continue;
            if (index > 0 && !conflicts(candidate.heldMode, picked[index - 1].takenMode)) continue;
            if (threadAlreadyPicked(picked, index, candidate.threadId)) continue;
            if (sharesGate(cycle, picked, index, candidate)) continue;
            if (orderedByStartOrJoin(picked, index, candidate)) continue;
            picked[index] = candidate;
            if (pick(cycle, index + 1, picked)) return true;
        }
        picked[index] = null;
        return false;
    }

    private static boolean conflicts(byte heldMode, byte wantedMode) {
        return !(heldMode == Occurrence.SHARED && wantedMode == Occurrence.SHARED);
    }

    private static boolean threadAlreadyPicked(Occurrence[] picked, int upTo, long threadId) {
        for (int i = 0; i < upTo; i++) {
            if (picked[i].threadId == threadId) return true;
        }
        return false;
    }

    /** Could the candidate run while every earlier pick runs? Not if both hold a common lock. */
    private static boolean sharesGate(Edge[] cycle, Occurrence[] picked, int index, Occurrence candidate) {
        long from = cycle[index].from.id;
        for (int i = 0; i < index; i++) {
            long otherFrom = cycle[i].from.id;
            if (Occurrence.intersects(picked[i].gates, candidate.gates)
                    || contains(picked[i].gates, from) || contains(candidate.gates, otherFrom)) {
                return true;
            }
        }
        return false;
    }

    /** Did one of the earlier picks happen before the candidate, or after it, through a start or join? */
    private static boolean orderedByStartOrJoin(Occurrence[] picked, int index, Occurrence candidate) {
        for (int i = 0; i < index; i++) {
            if (!SegmentGraph.concurrent(picked[i].segment, candidate.segment)) return true;
        }
        return false;
    }

    private static boolean contains(long[] sorted, long id) {
        return java.util.Arrays.binarySearch(sorted, id) >= 0;
    }
}
