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
 * of the first time. Two-way set-associative, 16 slots at first and grown fourfold as a thread uses more pairs
 * of sites (at most 256), nothing allocated on a hit.
 *
 * <p>Each slot also keeps the occurrence last made with its stacks (as the one-element array that edges
 * share): the next new edge between the same two sites, taken the same way, gets that same array, so a
 * thread that locks fresh objects under the same locks again and again allocates no occurrence per edge.
 */
final class StackCache {
    /** Slots at most (two per set); a thread that uses more pairs of sites than that walks some again. */
    private static final int MAX_SIZE = 256;
    /**
     * Slots to begin with. Most threads use a few pairs of sites (a virtual thread per request); at 256 slots
     * from the start, the cache was 5 KiB of every thread that ever found a new edge: 100,000 live virtual
     * threads that each took two locks kept 580 MiB more heap under the agent, 520 of it this cache.
     */
    private static final int FIRST_SIZE = 16;

    private long[] keys = new long[FIRST_SIZE];
    private StackTraceElement[][] heldStacks = new StackTraceElement[FIRST_SIZE][];
    private StackTraceElement[][] takenStacks = new StackTraceElement[FIRST_SIZE][];
    private Occurrence[][] occurrences = new Occurrence[FIRST_SIZE][];
    /** Pairs put since the cache last grew: past half its slots, it grows fourfold (up to MAX_SIZE). */
    private int putsSinceGrowth;

    static long key(int heldSite, int takenSite) {
        return ((long) heldSite << 32) | (takenSite & 0xFFFFFFFFL);
    }

    /**
     * The first of the two slots a key may be in, in a cache of {@code size} slots (two-way: two pairs of sites
     * that fall on the same slots, used in turn, do not push each other out; direct-mapped, each use walked the
     * stack again, as two pairs of a file channel's locks did on every {@code Files.readString}: twenty-seventh
     * round). The set is the hash's top bits, so keys that share a set at the largest size share one at every
     * size.
     */
    static int set(long key, int size) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> (64 - Integer.numberOfTrailingZeros(size >> 1))) << 1;
    }

    /** The set at the largest size (tests look for keys that share one). */
    static int set(long key) {
        return set(key, MAX_SIZE);
    }

    private int setOf(long key) {
        return set(key, keys.length);
    }

    /** @return the slot holding this pair of sites, or -1 */
    private int find(long key) {
        int i = setOf(key);
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
        if (++putsSinceGrowth > keys.length / 2 && keys.length < MAX_SIZE) grow();
        insert(key, held, taken);
    }

    private void insert(long key, StackTraceElement[] held, StackTraceElement[] taken) {
        int i = setOf(key);
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

    /** Four times the slots, with what the cache holds: each set's second entry first, so that the firsts stay first. */
    private void grow() {
        long[] oldKeys = keys;
        StackTraceElement[][] oldHeld = heldStacks;
        StackTraceElement[][] oldTaken = takenStacks;
        Occurrence[][] oldOccurrences = occurrences;
        int size = oldKeys.length * 4;
        keys = new long[size];
        heldStacks = new StackTraceElement[size][];
        takenStacks = new StackTraceElement[size][];
        occurrences = new Occurrence[size][];
        putsSinceGrowth = 0;
        for (int second = 1; second >= 0; second--) {
            for (int i = second; i < oldKeys.length; i += 2) {
                if (oldKeys[i] == 0) continue;
                insert(oldKeys[i], oldHeld[i], oldTaken[i]);
                occurrence(oldKeys[i], oldOccurrences[i]);
            }
        }
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
