package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.MapEntriesUnderLocks;
import io.lockwatch.it.programs.ShortLivedLockChurn;
import org.junit.jupiter.api.Test;

/**
 * More short-lived locks than the graph holds at once (its cap is 2^19 live locks). With G1 most of them
 * are not cleared by young collections, so the graph fills with locks that are dead but not known to be:
 * it must make room rather than drop new locks, and still find an inversion between two of them.
 */
class ManyShortLivedLocksTest {
    /** 3M locks: before the graph made room at its cap, this run dropped ~700,000 of them and missed the inversion. */
    private static final int PAIRS = 1_500_000;

    @Test
    void noLockIsDroppedAndTheInversionIsFound() {
        ChildResult run = ChildJvm.run(ShortLivedLockChurn.class).args(String.valueOf(PAIRS)).timeoutSeconds(180)
                .exec().assertCleanExit();
        Report report = run.report();
        String stats = report.json.get("stats").toString();
        assertEquals(1, report.potentialDeadlocks().size(),
                "the inversion between two short-lived locks: " + report.potentialDeadlocks().toPrettyString() + "\n" + stats);
        assertEquals(0, report.stat("locksDropped"), stats);
        assertTrue(report.stat("locksSeen") >= 2L * PAIRS, "every lock got a node: " + stats);
        assertTrue(report.stat("cycleSearches") < 1000, "no cycle search per pair: " + stats);
    }

    /**
     * The bins of a ConcurrentHashMap are one lock in the graph, the map's: a program that puts and removes
     * 200,000 entries under its own locks locks a bin for many of them (a bin that has an entry already, a
     * bin a resize moves). Tracked one by one, they were ~250,000 nodes, half the graph's cap, and
     * the application's own locks had to share what was left.
     */
    @Test
    void binsOfAMapLockedUnderOtherLocksAreOneLock() {
        ChildResult run = ChildJvm.run(MapEntriesUnderLocks.class).exec().assertCleanExit();
        assertEquals("0\n", run.stdout);
        Report report = run.report().assertNoPotentialDeadlocks();
        String stats = report.json.get("stats").toString();
        assertTrue(report.stat("locksSeen") < 1_000, "a few dozen locks of the JVM's, the sessions' and the map's bins: " + stats);
        assertTrue(report.stat("edgesSeen") < 1_000, stats);
        assertEquals(0, report.stat("internalErrors"), stats);
    }
}
