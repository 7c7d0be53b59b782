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
 * of the first time. Two-way set-associative, fixed size, nothing allocated on a hit.
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

    /**
     * The first of the two slots a key may be in (two-way: two pairs of sites that fall on the same slots,
     * used in turn, do not push each other out; direct-mapped, each use walked the stack again, as two pairs of
     * a file channel's locks did on every {@code Files.readString}: twenty-seventh round).
     */
    static int set(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 57) << 1; // SIZE / 2 sets of two slots
    }

    /** @return the slot holding this pair of sites, or -1 */
    private int find(long key) {
        int i = set(key);
        if (keys[i] == key) return i;
        return keys[i + 1] == key ? i + 1 : -1;
    }

    /** @return the cached stacks {held, taken} for this pair of sites, or null */
    StackTraceElement[] held(long key) {
        int i = find(key);
        return i >= 0 ? heldStacks[i] : null;
    }

    StackTraceElement[] taken(long key) {
        int i = find(key);
        return i >= 0 ? takenStacks[i] : null;
    }

    /** Puts the pair first in its set; the pair that was first moves second, and the second one goes. */
    void put(long key, StackTraceElement[] held, StackTraceElement[] taken) {
        int i = set(key);
        if (keys[i] != key) {
            keys[i + 1] = keys[i];
            heldStacks[i + 1] = heldStacks[i];
            takenStacks[i + 1] = takenStacks[i];
            occurrences[i + 1] = occurrences[i];
        }
        keys[i] = key;
        heldStacks[i] = held;
        takenStacks[i] = taken;
        occurrences[i] = null;
    }

    /** @return the occurrence last made for this pair of sites (a one-element array), or null */
    Occurrence[] occurrence(long key) {
        int i = find(key);
        return i >= 0 ? occurrences[i] : null;
    }

    /** Remembers the occurrence made for this pair of sites, whose stacks were just looked up here. */
    void occurrence(long key, Occurrence[] made) {
        int i = find(key);
        if (i >= 0) occurrences[i] = made;
    }
}
