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
    /** Where A was acquired (its frame first, then the callers still on the stack) and where B was. */
    public final StackTraceElement[] heldStack;
    public final StackTraceElement[] takenStack;
    public final long wallTimeMillis;

    public Occurrence(long threadId, String threadName, byte heldMode, byte takenMode, boolean nonBlocking,
               StackTraceElement[] heldStack, StackTraceElement[] takenStack) {
        this.threadId = threadId;
        this.threadName = threadName;
        this.heldMode = heldMode;
        this.takenMode = takenMode;
        this.nonBlocking = nonBlocking;
        this.heldStack = heldStack;
        this.takenStack = takenStack;
        this.wallTimeMillis = System.currentTimeMillis();
    }

    boolean sameKind(long threadId, byte heldMode, byte takenMode, boolean nonBlocking) {
        return this.threadId == threadId && this.heldMode == heldMode && this.takenMode == takenMode
                && this.nonBlocking == nonBlocking;
    }

    public static String modeName(byte mode) {
        return mode == SHARED ? "read" : "exclusive";
    }
}
