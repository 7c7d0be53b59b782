package io.lockwatch.runtime.graph;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Happens-before through {@code Thread.start} and {@code Thread.join}, as a graph of thread segments.
 *
 * <p>A thread's run is cut into segments where it starts or joins another thread. When M starts W, M's
 * segment s ends; M goes on in a new segment after s, and W begins in a segment after s. When M joins a
 * finished W, M's new segment comes after both its own last one and W's last one. Segment a happens
 * before segment b when b can reach a through these "after" links. Two lock orders can only deadlock each
 * other if they were taken in segments that do not happen before one another.
 *
 * <p>Only thread starts and joins create segments (never a lock acquisition), so this costs nothing on the
 * locking fast path. The graph is capped; a thread that gets no segment runs in a fresh root segment,
 * concurrent with everything: some false alarms may return, no inversion is missed.
 */
public final class SegmentGraph {
    /** Most segments kept; beyond, new threads get root segments (counted in {@link #dropped}). */
    static final int MAX_SEGMENTS = 1 << 20;
    /** Most segments one happens-before question may visit; beyond, the answer is "concurrent". */
    static final int MAX_VISITS = 10_000;
    private static final long[] NONE = new long[0];

    private static final AtomicLong nextId = new AtomicLong(1);
    private static final ConcurrentHashMap<Long, long[]> predecessors = new ConcurrentHashMap<>();
    /** Segment a started thread begins in, by thread id, until that thread picks it up. */
    private static final ConcurrentHashMap<Long, Long> startSegments = new ConcurrentHashMap<>();
    /** The last segment of each finished thread, by thread id, for whoever joins it. */
    private static final ConcurrentHashMap<Long, Long> finalSegments = new ConcurrentHashMap<>();
    public static final AtomicLong dropped = new AtomicLong();

    private SegmentGraph() {}

    /** A segment that comes after the given ones (none: a root). */
    static long after(long... before) {
        long id = nextId.getAndIncrement();
        if (before.length > 0) {
            if (predecessors.size() >= MAX_SEGMENTS) {
                dropped.incrementAndGet();
                return id; // a root: concurrent with everything
            }
            predecessors.put(id, before);
        }
        return id;
    }

    /** The segment a thread starts in: the one its starter prepared, or a fresh root. */
    public static long firstSegmentOf(long threadId) {
        Long prepared = startSegments.remove(threadId);
        return prepared != null ? prepared : after();
    }

    /**
     * The current thread (in {@code parentSegment}) starts thread {@code childId}.
     *
     * @return the parent's new segment
     */
    public static long starting(long parentSegment, long childId) {
        if (startSegments.size() < MAX_SEGMENTS) startSegments.put(childId, after(parentSegment));
        else dropped.incrementAndGet();
        return after(parentSegment);
    }

    /** A thread is ending in this segment. */
    public static void finished(long threadId, long lastSegment) {
        if (finalSegments.size() >= MAX_SEGMENTS) {
            finalSegments.clear(); // forget old ones rather than grow: joins then order nothing (counted)
            dropped.incrementAndGet();
        }
        finalSegments.put(threadId, lastSegment);
    }

    /**
     * The current thread (in {@code joinerSegment}) has joined the finished thread {@code joinedId}.
     *
     * @return the joiner's new segment, or the same one when the joined thread's end is unknown
     */
    public static long joined(long joinerSegment, long joinedId) {
        Long last = finalSegments.get(joinedId);
        return last == null ? joinerSegment : after(joinerSegment, last);
    }

    /** Did segment {@code a} happen before segment {@code b}? Detector thread only. */
    static boolean happensBefore(long a, long b) {
        if (a == b) return false;
        if (a > b) return false; // segments are numbered in creation order: a later one never comes first
        ArrayDeque<Long> queue = new ArrayDeque<>();
        Set<Long> seen = new HashSet<>();
        queue.add(b);
        while (!queue.isEmpty() && seen.size() < MAX_VISITS) {
            long s = queue.poll();
            for (long p : predecessors.getOrDefault(s, NONE)) {
                if (p == a) return true;
                if (p > a && seen.add(p)) queue.add(p);
            }
        }
        return false;
    }

    /** Could the two segments run at the same time? */
    static boolean concurrent(long a, long b) {
        return a != b && !happensBefore(a, b) && !happensBefore(b, a);
    }
}
