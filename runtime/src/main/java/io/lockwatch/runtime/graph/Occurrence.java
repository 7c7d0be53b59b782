package io.lockwatch.runtime.graph;

/**
 * One way an edge A -> B was taken: by which thread, in which modes, blocking or not, and where.
 * An edge keeps a few distinct occurrences (one per thread and kind), never one per acquisition.
 */
public final class Occurrence {
    public static final byte EXCLUSIVE = 0;
    public static final byte SHARED = 1;

    public final long threadId;
    public final String threadName;
    /** The mode in which A was held and B was taken ({@link #EXCLUSIVE} or {@link #SHARED}). */
    public final byte heldMode;
    public final byte takenMode;
    /** True when B was taken with {@code tryLock}: such an acquisition cannot wait forever. */
    public final boolean nonBlocking;
    /**
     * Gate locks: the ids of the other locks the thread held at the time (besides A), sorted. Two
     * occurrences that share a gate lock cannot run at the same time, so they cannot deadlock each other.
     */
    public final long[] gates;
    /** The thread's segment (see {@link SegmentGraph}): which starts and joins it came after. */
    public final long segment;
    /** Where A was acquired (its frame first, then the callers still on the stack) and where B was. */
    public final StackTraceElement[] heldStack;
    public final StackTraceElement[] takenStack;

    public Occurrence(long threadId, String threadName, byte heldMode, byte takenMode, boolean nonBlocking,
               long[] gates, long segment, StackTraceElement[] heldStack, StackTraceElement[] takenStack) {
        this.threadId = threadId;
        this.threadName = threadName;
        this.heldMode = heldMode;
        this.takenMode = takenMode;
        this.nonBlocking = nonBlocking;
        this.gates = gates;
        this.segment = segment;
        this.heldStack = heldStack;
        this.takenStack = takenStack;
    }

    /**
     * Was this occurrence taken exactly so: by the same thread (the caller's, which made it) under the same
     * name, in the same segment and modes, and at the same stacks (by identity: the tracker reuses them for
     * every edge between the same two lock sites)? Then it can stand for the new one; gates are compared
     * by the caller.
     */
    public boolean takenSameWay(String threadName, long segment, byte heldMode, byte takenMode, boolean nonBlocking,
                                StackTraceElement[] heldStack, StackTraceElement[] takenStack) {
        return this.threadName == threadName && sameKind(segment, heldMode, takenMode, nonBlocking)
                && this.heldStack == heldStack && this.takenStack == takenStack;
    }

    /**
     * Does this occurrence already stand for a new one with these properties? It does if it is of the same
     * kind and its gates are a subset of the new one's: any cycle the new one could close, this one closes.
     */
    boolean covers(long threadId, long segment, byte heldMode, byte takenMode, boolean nonBlocking, long[] held,
                   int heldCount) {
        return this.threadId == threadId && sameKind(segment, heldMode, takenMode, nonBlocking)
                && isSubset(gates, held, heldCount);
    }

    /** The same segment, modes and blocking as this occurrence: what both comparisons above start from. */
    private boolean sameKind(long segment, byte heldMode, byte takenMode, boolean nonBlocking) {
        return this.segment == segment && this.heldMode == heldMode && this.takenMode == takenMode
                && this.nonBlocking == nonBlocking;
    }

    /**
     * Is {@code small} a subset of the first {@code largeCount} ids of {@code large}? Both sorted ascending.
     * (The new occurrence's gates are the held locks minus A, and A is never among this one's gates, so
     * comparing with all held locks gives the same answer without building the gate array.)
     */
    static boolean isSubset(long[] small, long[] large, int largeCount) {
        if (small.length == 0) return true;
        int j = 0;
        for (long id : small) {
            while (j < largeCount && large[j] < id) j++;
            if (j == largeCount || large[j] != id) return false;
            j++;
        }
        return true;
    }

    /** Do the two sorted arrays share an element? */
    static boolean intersects(long[] a, long[] b) {
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) return true;
            if (a[i] < b[j]) i++;
            else j++;
        }
        return false;
    }

    public static String modeName(byte mode) {
        return mode == SHARED ? "read" : "exclusive";
    }
}
