package io.lockwatch.runtime.graph;

import java.util.concurrent.atomic.AtomicReferenceArray;
import jdk.internal.vm.annotation.DontInline;

/**
 * A fixed-length array of references made a small chunk at a time, as slots are written: a table sized for the
 * worst case (a slot per thread id: {@link SegmentGraph}) costs a JVM only the chunks it uses. (The lock registry's
 * buckets have a scheme of their own, since locks land all over their table: {@link LockRegistry}.) Made in
 * {@code premain} and alive from then on, a whole table is memory first touched at start-up and, on JDK 17, live
 * data that the young collections of the host's own start-up copy again and again, which moves how G1 sizes the
 * host's heap (fifty-fourth round). A missing chunk reads as null slots; chunks are only ever added, by
 * compare-and-set, so two threads adding the same one agree.
 */
final class ChunkedReferenceArray<E> {
    private final AtomicReferenceArray<AtomicReferenceArray<E>> chunks;
    private final int chunkBits;
    private final int chunkMask;
    private final int length;

    /**
     * @param powerOfTwo the array's length
     * @param chunkBits  log2 of a chunk's slots (a chunk is never longer than the array)
     */
    ChunkedReferenceArray(int powerOfTwo, int chunkBits) {
        this.length = powerOfTwo;
        this.chunkBits = Math.min(chunkBits, Integer.numberOfTrailingZeros(powerOfTwo));
        this.chunkMask = (1 << this.chunkBits) - 1;
        this.chunks = new AtomicReferenceArray<>(powerOfTwo >>> this.chunkBits);
    }

    int length() {
        return length;
    }

    E get(int index) {
        AtomicReferenceArray<E> chunk = chunks.get(index >>> chunkBits);
        return chunk == null ? null : chunk.get(index & chunkMask);
    }

    boolean compareAndSet(int index, E expected, E value) {
        return chunkFor(index).compareAndSet(index & chunkMask, expected, value);
    }

    void setRelease(int index, E value) {
        chunkFor(index).setRelease(index & chunkMask, value);
    }

    private AtomicReferenceArray<E> chunkFor(int index) {
        AtomicReferenceArray<E> chunk = chunks.get(index >>> chunkBits);
        return chunk != null ? chunk : addChunk(index >>> chunkBits);
    }

    @DontInline // once per chunk: out of the compiled writes
    private AtomicReferenceArray<E> addChunk(int at) {
        chunks.compareAndSet(at, null, new AtomicReferenceArray<>(chunkMask + 1));
        return chunks.get(at);
    }

    /** Slots made so far, in whole chunks (a walk of the chunks: for tests). */
    int slotsMade() {
        int made = 0;
        for (int i = 0; i < chunks.length(); i++) if (chunks.get(i) != null) made++;
        return made << chunkBits;
    }
}
