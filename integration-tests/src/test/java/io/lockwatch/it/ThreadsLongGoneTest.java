package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.LiveVirtualThreads;
import io.lockwatch.it.programs.ThreadPerTask;
import io.lockwatch.it.programs.VirtualThreadOrders;
import org.junit.jupiter.api.Test;

/**
 * Threads started and joined by the hundred thousand (a thread per task, virtual threads): what lockwatch keeps
 * of their starts and joins, the happens-before that keeps it from reporting lock orders that cannot overlap,
 * stays bounded; and virtual threads are ordered by their starts and joins as platform threads are.
 */
class ThreadsLongGoneTest {
    /** Heap the program may have in use after full collections, lockwatch's included; about 1 MiB without it. */
    private static final long MAX_HEAP_MIB = 24;

    /**
     * Before the happens-before graph kept its segments in a bounded window, 100,000 threads left about 52 MiB
     * (150,000: 78 MiB), and its cap came at about 350,000 threads and 150 MiB.
     */
    @Test
    void aThreadPerTaskLeavesABoundedHeap() {
        assertBoundedHeap(ChildJvm.run(ThreadPerTask.class).args("100000").timeoutSeconds(120));
    }

    @Test
    void virtualThreadsLeaveABoundedHeap() {
        assumeVirtualThreads();
        assertBoundedHeap(ChildJvm.run(ThreadPerTask.class).args("300000", "virtual").timeoutSeconds(120));
    }

    private static void assertBoundedHeap(ChildJvm child) {
        ChildResult run = child.exec().assertCleanExit();
        String[] lines = run.stdout.split("\n");
        assertTrue(lines[0].startsWith("tasks ") && lines[1].startsWith("heap MiB "), run.stdout);
        long heapMiB = Long.parseLong(lines[1].substring("heap MiB ".length()));
        Report report = run.report().assertNoPotentialDeadlocks();
        String stats = report.json.get("stats").toString();
        assertTrue(heapMiB <= MAX_HEAP_MIB, "heap after full collections: " + heapMiB + " MiB; " + stats);
        assertTrue(report.stat("segmentsDropped") > 0, "the window of segments went round: " + stats);
    }

    /**
     * What lockwatch keeps per live thread: a server's virtual threads, 100,000 waiting at once after each took two
     * locks. Each thread's cache of captured stacks had 256 slots from its first new edge on, 5 KiB: the agent
     * added about 5.8 KiB a thread (582 MiB); the cache now starts at 16 slots and grows with use.
     */
    @Test
    void liveVirtualThreadsCostLittleEach() {
        assumeVirtualThreads();
        int threads = 100_000;
        long without = heapMiB(ChildJvm.run(LiveVirtualThreads.class).withoutAgent().args(String.valueOf(threads)).exec());
        ChildResult run = ChildJvm.run(LiveVirtualThreads.class).args(String.valueOf(threads)).timeoutSeconds(120).exec()
                .assertCleanExit();
        long with = heapMiB(run);
        long bytesPerThread = (with - without) * 1024 * 1024 / threads;
        assertTrue(bytesPerThread <= 3072, "the agent kept " + bytesPerThread + " bytes per live thread ("
                + with + " against " + without + " MiB); " + run.report().json.get("stats"));
    }

    private static long heapMiB(ChildResult run) {
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.stdout.startsWith("heap MiB "), run.stdout);
        return Long.parseLong(run.stdout.trim().substring("heap MiB ".length()));
    }

    /** Before VirtualThread.start was hooked, every virtual thread began concurrent with all: a false alarm. */
    @Test
    void aVirtualThreadStartedAfterOneOrderCannotDeadlockWithIt() {
        assumeVirtualThreads();
        run("start").assertNoPotentialDeadlocks();
    }

    /** A virtual thread ends without Thread.exit: its joiner found no last segment, and reported a false alarm. */
    @Test
    void aVirtualThreadJoinedBeforeTheOtherOrderCannotDeadlockWithIt() {
        assumeVirtualThreads();
        run("join").assertNoPotentialDeadlocks();
    }

    @Test
    void virtualThreadsThatRunTogetherAreReported() {
        assumeVirtualThreads();
        JsonNode finding = run("concurrent").singlePotentialDeadlock();
        assertEquals(2, finding.get("edges").size(), finding.toPrettyString());
    }

    @Test
    void aVirtualThreadStartedTwiceIsReported() {
        assumeVirtualThreads();
        ChildResult run = ChildJvm.run(VirtualThreadOrders.class).args("double-start").exec();
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("caught java.lang.IllegalThreadStateException\ndone\n", run.stdout);
        run.assertOnlyAgentLinesOnStderr();
        JsonNode hazard = run.report().singleHazard("double_start");
        assertEquals("TERMINATED", hazard.get("thread").get("state").asText(), hazard.toPrettyString());
        assertTrue(hazard.get("site").asText().startsWith(VirtualThreadOrders.class.getName() + ".main("), hazard.toPrettyString());
    }

    private static Report run(String mode) {
        ChildResult run = ChildJvm.run(VirtualThreadOrders.class).args(mode).exec().assertCleanExit();
        assertEquals("done\n", run.stdout);
        return run.report();
    }

    private static void assumeVirtualThreads() {
        assumeTrue(ChildJvm.childFeatureVersion() >= 21, "JDK " + ChildJvm.childFeatureVersion() + " has no virtual threads");
    }
}
