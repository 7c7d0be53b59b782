package io.lockwatch.runtime.graph;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

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
 * locking fast path. Memory is bounded whatever the number of threads a service starts over its life (a
 * thread per task, virtual threads): what is forgotten is ordering, never a finding, so a forgotten link
 * can bring a false alarm back but never hides an inversion.
 * <ul>
 *   <li>Segment ids are numbered in creation order, and each segment's one or two predecessors are kept in
 *       fixed chunks: those of the first {@link #KEPT_FOR_GOOD} segments for good (start-up: the order in which a
 *       service takes its locks before it starts its workers), and a ring of the most recent {@link #WINDOW}
 *       segments (about a third as many thread starts). An older segment is forgotten, as if it had no
 *       predecessors; the chunks it lost are counted in {@link #dropped}. Chunks are made as segments reach them:
 *       a JVM that starts a few threads keeps 4 KiB, not the 64 KiB a chunk once was.</li>
 *   <li>Each thread's current segment, for the thread it starts to begin in and for whoever joins it, is in
 *       a table indexed by thread id ({@link #THREAD_SLOTS} slots, ids are consecutive, made 256 at a time), one
 *       {@link ThreadSegment} per thread moved on in place: a thread started or joined after that many newer
 *       threads lost its slot, and begins as a root or orders nothing.</li>
 *   <li>Writes are release stores, not fences (a thread start costs none): a thread reads its first segment
 *       after its start and a joiner the joined thread's last one after its end, both happen-before edges of
 *       their own; the detector reads a segment's predecessors after an occurrence in that segment reached the
 *       graph, which their writes happen before. A link not seen yet reads as none, as a forgotten one does.</li>
 * </ul>
 */
public final class SegmentGraph {
    private static final int CHUNK_BITS = 8;
    private static final int CHUNK_SIZE = 1 << CHUNK_BITS;
    /** The chunks kept for good, those of the first segments. */
    private static final int FIRST_CHUNKS = 16;
    /** Segments whose predecessors are kept for good. */
    static final long KEPT_FOR_GOOD = (long) FIRST_CHUNKS * CHUNK_SIZE;
    /** Chunks in the ring of recent segments; 2 longs per segment, 4 MiB in all once every chunk is in use. */
    private static final int RING_CHUNKS = 1024;
    /** Most recent segments whose predecessors are kept (besides the first chunk's, kept for good). */
    static final long WINDOW = (long) RING_CHUNKS * CHUNK_SIZE;
    /** Slots of the table of threads' current segments: a power of two. */
    static final int THREAD_SLOTS = 1 << 14;
    /** Most segments one happens-before question may visit; beyond, the answer is "concurrent". */
    static final int MAX_VISITS = 10_000;

    private static final AtomicLong nextId = new AtomicLong(1);
    /** The first chunks (ids 1 to KEPT_FOR_GOOD - 1), never recycled. */
    private static final AtomicReferenceArray<Chunk> FIRST = new AtomicReferenceArray<>(FIRST_CHUNKS);
    private static final AtomicReferenceArray<Chunk> RING = new AtomicReferenceArray<>(RING_CHUNKS);
    private static final ChunkedReferenceArray<ThreadSegment> BY_THREAD = new ChunkedReferenceArray<>(THREAD_SLOTS, 8);
    /** Segments forgotten: their predecessors are no longer known. */
    public static final AtomicLong dropped = new AtomicLong();

    private SegmentGraph() {}

    /** CHUNK_SIZE consecutive segments' predecessors, two per segment (0: none). */
    private static final class Chunk {
        final long number;
        final AtomicLongArray predecessors = new AtomicLongArray(2 * CHUNK_SIZE);

        Chunk(long number) {
            this.number = number;
        }
    }

    /**
     * A thread's current segment, where its children and joiners find it by the thread's id: one per thread, made by
     * its starter (or at its first need), which the thread itself moves on at each start and join, so that a segment
     * costs no object. The id is final, so that a slot never pairs one thread's id with another's segment.
     */
    public static final class ThreadSegment {
        final long threadId;
        /**
         * Written by its thread only (and by its starter before the start); read by the thread, by its child after
         * the child's start and by its joiner after its end: each read comes after the write it needs.
         */
        long segment;

        ThreadSegment(long threadId, long segment) {
            this.threadId = threadId;
            this.segment = segment;
        }

        public long segment() {
            return segment;
        }
    }

    /** A segment that comes after the given ones (0 for none; neither: a root). */
    static long after(long first, long second) {
        long id = nextId.getAndIncrement();
        if (first != 0 || second != 0) {
            Chunk chunk = chunkToWrite(id >>> CHUNK_BITS);
            if (chunk != null) {
                int at = 2 * (int) (id & (CHUNK_SIZE - 1));
                chunk.predecessors.setRelease(at, first);
                chunk.predecessors.setRelease(at + 1, second);
            }
        }
        return id;
    }

    /** The chunk for new segments of that number: the ring's slot, taken over from the chunk it held before. */
    private static Chunk chunkToWrite(long number) {
        if (number < FIRST_CHUNKS) {
            int at = (int) number;
            if (FIRST.get(at) == null) FIRST.compareAndSet(at, null, new Chunk(number));
            return FIRST.get(at);
        }
        int slot = (int) (number % RING_CHUNKS);
        while (true) {
            Chunk held = RING.get(slot);
            if (held != null && held.number >= number) return held.number == number ? held : null; // already recycled
            Chunk fresh = new Chunk(number);
            if (RING.compareAndSet(slot, held, fresh)) {
                if (held != null) dropped.addAndGet(CHUNK_SIZE);
                return fresh;
            }
        }
    }

    /** The chunk that holds that segment's predecessors, or null when they are forgotten. */
    private static Chunk chunkToRead(long segment) {
        long number = segment >>> CHUNK_BITS;
        if (number < FIRST_CHUNKS) return FIRST.get((int) number);
        Chunk held = RING.get((int) (number % RING_CHUNKS));
        return held != null && held.number == number ? held : null;
    }

    private static int slotOf(long threadId) {
        return (int) threadId & (THREAD_SLOTS - 1);
    }

    /** The thread's segment as the table has it, or 0 when its slot now holds another thread's. */
    private static long segmentOf(long threadId) {
        ThreadSegment held = BY_THREAD.get(slotOf(threadId));
        return held != null && held.threadId == threadId ? held.segment : 0;
    }

    /** The calling thread's segment: the one its starter prepared, or a fresh root. */
    public static ThreadSegment firstSegmentOf(long threadId) {
        int slot = slotOf(threadId);
        ThreadSegment prepared = BY_THREAD.get(slot);
        if (prepared != null && prepared.threadId == threadId) return prepared;
        ThreadSegment root = new ThreadSegment(threadId, after(0, 0));
        BY_THREAD.setRelease(slot, root);
        return root;
    }

    /**
     * The calling thread, at a start or join, is now in {@code segment}: its children begin after it, its joiners
     * come after it. Its slot is taken back if a thread of a colliding id took it meanwhile.
     */
    public static void moveTo(ThreadSegment own, long segment) {
        own.segment = segment;
        int slot = slotOf(own.threadId);
        if (BY_THREAD.get(slot) != own) BY_THREAD.setRelease(slot, own);
    }

    /**
     * The current thread (in {@code parentSegment}) starts thread {@code childId}.
     *
     * @return the parent's new segment
     */
    public static long starting(long parentSegment, long childId) {
        BY_THREAD.setRelease(slotOf(childId), new ThreadSegment(childId, after(parentSegment, 0)));
        return after(parentSegment, 0);
    }

    /**
     * The current thread (in {@code joinerSegment}) has joined the finished thread {@code joinedId}.
     *
     * @return the joiner's new segment, or the same one when the joined thread's end is unknown
     */
    public static long joined(long joinerSegment, long joinedId) {
        long last = segmentOf(joinedId);
        return last == 0 ? joinerSegment : after(joinerSegment, last);
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
            Chunk chunk = chunkToRead(s);
            if (chunk == null) continue; // forgotten: no way back from here
            int at = 2 * (int) (s & (CHUNK_SIZE - 1));
            for (int i = 0; i < 2; i++) {
                long p = chunk.predecessors.get(at + i);
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
