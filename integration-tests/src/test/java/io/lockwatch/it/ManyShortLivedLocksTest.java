package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.LiveLocksInASmallHeap;
import io.lockwatch.it.programs.ManyClassesLoaded;
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
     * The graph's caps follow the heap: at the full caps (2^19 locks and edges, up to 64 MiB) a program that runs
     * in a 64 MiB heap with 600,000 live locks ran out of memory under the agent. In that heap the caps are
     * 32,768; the graph makes room as at any cap, and the inversion at the end is still found.
     */
    @Test
    void aSmallHeapGetsCapsThatLeaveTheApplicationItsRoom() {
        ChildResult run = ChildJvm.run(LiveLocksInASmallHeap.class).jvmArgs("-Xmx64m").args("600000")
                .timeoutSeconds(120).exec().assertCleanExit();
        assertEquals("done 600002 with 600000 locks alive\n", run.stdout);
        Report report = run.report();
        String stats = report.json.get("stats").toString();
        assertEquals(1 << 15, report.stat("locksCap"), stats);
        assertEquals(1 << 15, report.stat("edgesCap"), stats);
        assertTrue(report.stat("locksEvicted") > 0, "the graph made room: " + stats);
        assertEquals(1, report.potentialDeadlocks().size(), report.potentialDeadlocks().toPrettyString() + "\n" + stats);
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

    /**
     * A parallel-capable class loader locks a fresh object per class name while it loads it, one that lives
     * as long as the loader. Tracked one by one, 3,000 classes of a loader were 3,000 locks more and as many
     * edges, and the JDK's loaders two more per name (the application loader's and the platform
     * loader's): a large application (40,000 classes) filled the graph's edge cap with them. Each loader's
     * class-loading locks are now one lock in the graph, like a map's bins.
     */
    @Test
    void classLoadingLocksOfALoaderAreOneLock() {
        int classes = 3_000;
        assertNoLockOrEdgePerClassLoaded(classes, "own");

        ChildResult system = ChildJvm.run(ManyClassesLoaded.class).args(String.valueOf(classes), "system").exec()
                .assertCleanExit();
        Report report = system.report().assertNoPotentialDeadlocks();
        String stats = report.json.get("stats").toString();
        // Before: four locks per name. Left: two, short-lived ones that are garbage at once (the
        // ClassNotFoundException's among them: Throwable.fillInStackTrace is synchronized).
        assertTrue(report.stat("locksSeen") < 3L * classes, "not the loaders' locks per name: " + stats);
        assertEquals(0, report.stat("internalErrors"), stats);
    }

    /**
     * For each class it loads from a jar, the JDK makes a {@code URL} and a {@code Resource} and locks both
     * (in {@code URL.set} and {@code Resource.cachedInputStream}), under whatever locks the loading thread
     * holds. No other thread can ever take those two locks, so they cannot deadlock; tracked, they were two
     * locks and about eight edges per class, most of the lock-order graph's work while a service starts
     * (H2's first pass: 4,428 of the 5,357 new edges and occurrences it recorded). They are left untracked
     * by rule ({@code IgnoreRules}).
     */
    @Test
    void classesLoadedFromAJarAddNoLocksOfTheirOwn() {
        assertNoLockOrEdgePerClassLoaded(1_000, "jar");
    }

    /** {@code ManyClassesLoaded} loads {@code classes} classes its {@code mode}'s way, and the graph stays smaller than that. */
    private static void assertNoLockOrEdgePerClassLoaded(int classes, String mode) {
        ChildResult run = ChildJvm.run(ManyClassesLoaded.class).args(String.valueOf(classes), mode).exec()
                .assertCleanExit();
        assertEquals(classes + "\n", run.stdout);
        Report report = run.report().assertNoPotentialDeadlocks();
        String stats = report.json.get("stats").toString();
        assertTrue(report.stat("locksSeen") < classes / 2, "not a lock per class loaded: " + stats);
        assertTrue(report.stat("edgesSeen") < classes / 2, "not an edge per class loaded: " + stats);
        assertEquals(0, report.stat("internalErrors"), stats);
    }

    /**
     * What one lock per loader gives: a loader whose {@code findClass} takes a lock, and a thread that asks it
     * for a class while holding that lock, are reported whichever two classes this run loaded. Per name, only
     * two loads of the same class in the two orders would show it, which a run that did not hang hardly has.
     */
    @Test
    void aLoaderThatLocksWhatItsCallersHoldIsReported() {
        ChildResult run = ChildJvm.run(ManyClassesLoaded.class).args("2", "hazard").exec().assertCleanExit();
        assertEquals("2\n", run.stdout);
        Report report = run.report();
        String findings = report.potentialDeadlocks().toPrettyString();
        assertEquals(1, report.potentialDeadlocks().size(), findings);
        assertTrue(findings.contains("(class-loading locks)"), findings);
    }
}
