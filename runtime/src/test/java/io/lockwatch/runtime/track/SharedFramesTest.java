package io.lockwatch.runtime.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Equal frames come back as one object, across the table's growth; the table's size stays within its cap. */
class SharedFramesTest {
    private static StackTraceElement frame(int line) {
        return new StackTraceElement("com.example.Service", "handle", "Service.java", line);
    }

    @Test
    void anEqualFrameGetsTheFirstObjectAcrossGrowth() {
        SharedFrames frames = new SharedFrames(1 << 16);
        int slotsAtFirst = frames.slots();
        List<StackTraceElement> first = new ArrayList<>();
        for (int line = 1; line <= 10_000; line++) {
            StackTraceElement f = frame(line);
            assertSame(f, frames.shared(f));
            first.add(f);
        }
        assertTrue(frames.slots() > slotsAtFirst, "grew from " + slotsAtFirst + " slots");
        assertTrue(frames.slots() >= 2 * frames.size(), "at most half full: " + frames.size() + " in " + frames.slots());
        for (int line = 1; line <= 10_000; line++) {
            StackTraceElement again = frame(line);
            assertSame(first.get(line - 1), frames.shared(again), "line " + line);
        }
        assertEquals(10_000, frames.size());
    }

    /** Past the cap the table starts over small: it never holds more than twice the cap in slots. */
    @Test
    void atTheCapTheTableStartsOver() {
        int cap = 4096;
        SharedFrames frames = new SharedFrames(cap);
        int mostSlots = 0;
        for (int line = 1; line <= 3 * cap; line++) {
            frames.shared(frame(line));
            mostSlots = Math.max(mostSlots, frames.slots());
            assertTrue(frames.size() <= cap + 1, frames.size() + " frames at line " + line);
        }
        assertEquals(2 * cap, mostSlots);
        // A frame from before the start-over is a new one to the table now.
        StackTraceElement early = frame(1);
        assertSame(early, frames.shared(early));
    }

    /**
     * Two threads released at once by spinning add frames that start their probe at the same slot ("Aa" and "BB"
     * have the same hash): neither frame is lost, so each thread's object stays the table's. (The table is grown
     * first, so that no copy runs during the race, which may leave a frame behind on purpose.)
     */
    @Test
    @Timeout(60)
    void framesAddedAtOnceToTheSameSlotAreBothKept() throws Exception {
        String[] files = {"Aa", "BB"};
        assertEquals(files[0].hashCode(), files[1].hashCode());
        int lines = 10_000;
        SharedFrames frames = new SharedFrames(1 << 17);
        for (int line = 1; line <= 40_000; line++) frames.shared(new StackTraceElement("Warm", "up", "Warm.java", line));
        int slotsBefore = frames.slots();
        StackTraceElement[][] given = new StackTraceElement[files.length][lines + 1];
        AtomicInteger arrived = new AtomicInteger();
        List<Thread> adders = new ArrayList<>();
        for (int t = 0; t < files.length; t++) {
            int thread = t;
            Thread adder = new Thread(() -> {
                for (int line = 1; line <= lines; line++) {
                    arrived.incrementAndGet();
                    while (arrived.get() < files.length * line) Thread.onSpinWait();
                    given[thread][line] = frames.shared(new StackTraceElement("C", "m", files[thread], line));
                }
            });
            adder.setDaemon(true); // should one fail, the other's spin must not keep the JVM
            adder.start();
            adders.add(adder);
        }
        for (Thread adder : adders) adder.join();
        assertEquals(slotsBefore, frames.slots(), "no growth during the race");
        for (int t = 0; t < files.length; t++) {
            for (int line = 1; line <= lines; line++) {
                StackTraceElement again = new StackTraceElement("C", "m", files[t], line);
                assertSame(given[t][line], frames.shared(again), files[t] + ":" + line);
            }
        }
    }
}
