package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.harness.TwoAtATime;
import io.lockwatch.it.programs.ShortLivedLockChurn;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent under each of HotSpot's collectors, not only G1: the serial collector is the JVM's own choice in a
 * container with one CPU or under 1,792 MB of memory, the parallel one is common for batch work, ZGC and Shenandoah
 * for large heaps. What differs between them is what lockwatch's graph depends on: when weak references are cleared
 * (G1, serial and parallel clear a short-lived lock's in a young collection; ZGC and Shenandoah in their
 * concurrent cycles), and what {@code Runtime.maxMemory()} says of the heap, which the graph's caps follow.
 *
 * <p>Each runs 400,000 short-lived locks through a 64 MiB heap, whose caps are 32,768 locks: the graph must make
 * room (purging collected locks, evicting the rest), drop no lock, and still find the inversion at the end.
 */
@TwoAtATime
class CollectorsTest {
    @ParameterizedTest
    @ValueSource(strings = {"UseSerialGC", "UseParallelGC", "UseG1GC", "UseZGC", "UseShenandoahGC"})
    void theGraphMakesRoomAndFindsTheInversion(String collector) {
        ChildResult run = ChildJvm.run(ShortLivedLockChurn.class).jvmArgs("-XX:+" + collector, "-Xmx64m").args("200000")
                .timeoutSeconds(120).exec();
        Assumptions.assumeFalse(run.stderr.contains("Unrecognized VM option '" + collector)
                || run.stderr.contains("-XX:+" + collector + " not supported"), collector + " is not in this JDK");
        run.assertCleanExit();
        assertEquals("done 200002\n", run.stdout);
        Report report = run.report();
        String stats = report.json.get("stats").toString();
        assertEquals(1, report.potentialDeadlocks().size(), report.potentialDeadlocks().toPrettyString() + "\n" + stats);
        assertEquals(0, report.stat("locksDropped"), stats);
        assertEquals(1 << 15, report.stat("locksCap"), "the caps of -Xmx64m, whichever collector: " + stats);
        assertTrue(report.stat("locksSeen") >= 400_000, "every lock got a node: " + stats);
        assertTrue(report.stat("locksEvicted") + report.stat("locksPurgedOnDemand") > 0, "room was made: " + stats);
    }
}
