package io.lockwatch.runtime.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Chunks are made as slots are written, and threads that make the same chunk at once agree on one. */
class ChunkedReferenceArrayTest {
    @Test
    void slotsReadAsNullUntilWrittenAndOnlyTheirChunksAreMade() {
        ChunkedReferenceArray<String> array = new ChunkedReferenceArray<>(1 << 10, 6);
        assertNull(array.get(700));
        assertEquals(0, array.slotsMade());
        array.setRelease(700, "a");
        assertTrue(array.compareAndSet(5, null, "b"));
        assertEquals("a", array.get(700));
        assertEquals("b", array.get(5));
        assertNull(array.get(6));
        assertEquals(2 * 64, array.slotsMade());
    }

    /**
     * Each round, two threads write their own slot of one chunk that neither has made yet, released at the same
     * moment by spinning (a barrier's wake-ups come one after another): no write is lost to a chunk made twice.
     */
    @Test
    @Timeout(60)
    void threadsMakingTheSameChunkAtOnceLoseNoWrite() throws Exception {
        int rounds = 20_000;
        int threads = 2;
        List<ChunkedReferenceArray<Integer>> arrays = new ArrayList<>();
        for (int r = 0; r < rounds; r++) arrays.add(new ChunkedReferenceArray<>(1 << 10, 6));
        AtomicInteger arrived = new AtomicInteger();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int slot = t;
            Thread writer = new Thread(() -> {
                for (int r = 0; r < rounds; r++) {
                    arrived.incrementAndGet();
                    while (arrived.get() < threads * (r + 1)) Thread.onSpinWait();
                    arrays.get(r).compareAndSet(slot, null, slot);
                }
            });
            writer.setDaemon(true); // should one fail, the other's spin must not keep the JVM
            writer.start();
            writers.add(writer);
        }
        for (Thread writer : writers) writer.join();

        for (int r = 0; r < rounds; r++) {
            for (int slot = 0; slot < threads; slot++) assertEquals(slot, arrays.get(r).get(slot), "round " + r + ", slot " + slot);
        }
    }
}
