package io.lockwatch.runtime.track;

import io.lockwatch.runtime.graph.Occurrence;

/**
 * Per-thread memory of the stacks captured for recent pairs of lock sites.
 *
 * <p>Walking the stack is the expensive part of a new edge (microseconds). A program that locks millions
 * of short-lived objects in pairs creates a new edge for every pair, always from the same two lines of
 * code. Like lockdep, which keeps one trace per dependency between lock classes rather than per instance,
 * lockwatch walks the stack the first time a thread goes from site X to site Y and reuses those stacks for
 * later edges from X to Y: the two top frames are exact (they are the sites), the callers are the ones
 * of the first time. Direct-mapped, fixed size, nothing allocated on a hit.
 *
 * <p>Each slot also keeps the occurrence last made with its stacks (as the one-element array that edges
 * share): the next new edge between the same two sites, taken the same way, gets that same array, so a
 * thread that locks fresh objects under the same locks again and again allocates no occurrence per edge.
 */
final class StackCache {
    private static final int SIZE = 256;

    private final long[] keys = new long[SIZE];
    private final StackTraceElement[][] heldStacks = new StackTraceElement[SIZE][];
    private final StackTraceElement[][] takenStacks = new StackTraceElement[SIZE][];
    private final Occurrence[][] occurrences = new Occurrence[SIZE][];

    static long key(int heldSite, int takenSite) {
        return ((long) heldSite << 32) | (takenSite & 0xFFFFFFFFL);
    }

    private static int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 56) & (SIZE - 1);
    }

    /** @return the cached stacks {held, taken} for this pair of sites, or null */
    StackTraceElement[] held(long key) {
        int i = slot(key);
        return keys[i] == key ? heldStacks[i] : null;
    }

    StackTraceElement[] taken(long key) {
        int i = slot(key);
        return keys[i] == key ? takenStacks[i] : null;
    }

    void put(long key, StackTraceElement[] held, StackTraceElement[] taken) {
        int i = slot(key);
        keys[i] = key;
        heldStacks[i] = held;
        takenStacks[i] = taken;
        occurrences[i] = null;
    }

    /** @return the occurrence last made for this pair of sites (a one-element array), or null */
    Occurrence[] occurrence(long key) {
        int i = slot(key);
        return keys[i] == key ? occurrences[i] : null;
    }

    /** Remembers the occurrence made for this pair of sites, whose stacks were just looked up here. */
    void occurrence(long key, Occurrence[] made) {
        int i = slot(key);
        if (keys[i] == key) occurrences[i] = made;
    }
}
