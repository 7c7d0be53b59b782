package io.lockwatch.runtime.graph;

import java.util.ArrayList;
import java.util.List;
import jdk.internal.vm.annotation.DontInline;

/**
 * Finds the cycles that a new edge closes: every simple path from the edge's target back to its
 * source, breadth-limited by two documented bounds so that a large graph never costs unbounded time.
 */
final class CycleFinder {
    /** Longest cycle searched for, in edges (locks). Longer inversions are practically never real. */
    static final int MAX_CYCLE_LENGTH = 6;
    /** Edges one search may visit before it gives up (counted in {@code stats.cycleSearchesCapped}). */
    static final int MAX_STEPS_PER_SEARCH = 50_000;

    interface CycleVisitor {
        void cycle(Edge[] edges);
    }

    /** @return false when the search hit a bound and stopped early */
    static boolean findCycles(Edge closing, CycleVisitor visitor) {
        List<Edge> path = new ArrayList<>();
        path.add(closing);
        int[] steps = {0};
        return walk(closing.to, closing.from, path, visitor, steps);
    }

    /**
     * Never inlined, not even into itself: C2 would inline one level of the recursion, with all it calls,
     * and this search runs on the detector thread, where its speed hardly matters but its compilation
     * competes with the application's. Measured in the H2 bench: 0.3-0.46 s of C2 time (27 KB of machine
     * code, compiled twice), the largest of all lockwatch's compilations.
     */
    @DontInline
    private static boolean walk(LockNode at, LockNode target, List<Edge> path, CycleVisitor visitor, int[] steps) {
        // A lock with one edge out (most) is walked without the one-element array its snapshot would make.
        Edge only = at.onlyEdge();
        Edge[] edges = only == null ? at.edges() : null;
        for (int i = 0, n = only == null ? edges.length : 1; i < n; i++) {
            Edge edge = only == null ? edges[i] : only;
            if (++steps[0] > MAX_STEPS_PER_SEARCH) return false;
            LockNode next = edge.to; // collected or not: see LockOrderGraph.detect
            if (next == target) {
                path.add(edge);
                visitor.cycle(path.toArray(new Edge[0]));
                path.remove(path.size() - 1);
                continue;
            }
            if (path.size() + 1 >= MAX_CYCLE_LENGTH || onPath(path, next)) continue;
            path.add(edge);
            boolean complete = walk(next, target, path, visitor, steps);
            path.remove(path.size() - 1);
            if (!complete) return false;
        }
        return true;
    }

    /**
     * By index, not with an iterator: called once per edge walked, and the detector thread runs this search
     * mostly interpreted or in C1's code, where each iterator was a real allocation in the host's heap (about
     * 1 MB during the H2 bench's setup alone; {@code CycleFinderTest} holds a search to a fixed amount).
     */
    private static boolean onPath(List<Edge> path, LockNode node) {
        for (int i = 0, n = path.size(); i < n; i++) {
            if (path.get(i).from == node) return true;
        }
        return false;
    }

    private CycleFinder() {}
}
