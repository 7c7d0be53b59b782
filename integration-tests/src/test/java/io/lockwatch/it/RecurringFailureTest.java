package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lockwatch.it.harness.AgentJars;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.harness.Scrape;
import io.lockwatch.it.programs.FailureUnderALock;
import io.lockwatch.it.programs.NestedLockCallsLoop;
import io.lockwatch.it.programs.NestedLocksLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A failure inside lockwatch that recurs at every lock must not cost the application an exception per
 * acquisition for the rest of its life. Here the failure is real: the agent jar is a damaged copy that lacks
 * the class of the lock-order graph's edges, so the order check of every nested acquisition fails to load
 * it (a jar replaced under a running JVM did the same once, and that JVM spun for minutes). lockwatch must
 * stop tracking after a thousand such failures, say so in one line, and leave the program's output alone.
 */
class RecurringFailureTest {
    private static final int ITERATIONS = 200_000;
    /** Before the breaker: every one of the 400,000 nested acquisitions failed (and took 36 times longer). */
    private static final int MOST_FAILURES_EXPECTED = 20_000;
    private static final String MISSING_CLASS = "io/lockwatch/runtime/graph/Edge.class";
    /**
     * The class that says whether a JFR recording could want a contention event: asked at each first acquisition
     * of a {@code Lock}, after the order check has put the lock on the thread's held stack (and not at start, nor
     * by the report: a jar without it starts).
     */
    private static final String RECORDINGS = "io/lockwatch/runtime/events/Recordings.class";

    @Test
    void aFailureAtEveryLockStopsTrackingInsteadOfCostingEveryAcquisition() throws Exception {
        ChildResult run = loopScrapedWhileItWaits(NestedLocksLoop.class, AgentJars.without(MISSING_CLASS));

        List<String> stopped = Arrays.stream(run.stderr.split("\n"))
                .filter(line -> line.contains("stopped tracking locks")).toList();
        assertEquals(1, stopped.size(), run.stderr);
        // The last of the thousand: Edge itself, or the class of the graph's nodes, which needs Edge to initialise.
        assertTrue(stopped.get(0).startsWith("[lockwatch] ERROR stopped tracking locks after 1000 internal failures"
                + " within a second, the last in lock-order check: java.lang.NoClassDefFoundError: "), stopped.get(0));
        assertTrue(stopped.get(0).replace('/', '.').contains("io.lockwatch.runtime.graph."), stopped.get(0));
        assertTrue(stopped.get(0).contains("hang detection goes on"), stopped.get(0));

        Report report = run.report();
        assertEquals(1, report.stat("trackingStopped"), report.json.get("stats").toString());
        long counted = report.stat("internalErrors");
        assertTrue(counted >= 1_000 && counted < MOST_FAILURES_EXPECTED, "internal failures: " + counted);
        JsonNode why = report.json.path("agent").path("trackingStopped");
        assertTrue(why.path("because").asText().contains("NoClassDefFoundError"), why.toString());
        assertFalse(why.path("at").asText().isEmpty(), why.toString());
    }

    /**
     * The path that handles a failure must not need a class loaded first: with the class of that path missing as
     * well, the first failure threw NoClassDefFoundError from a catch block into the program, whose main died.
     * Now the agent loads that class as it starts, and a jar without it does not start, in one line.
     */
    @Test
    void aJarWithoutTheFailurePathsOwnClassDoesNotStartAndTheProgramRunsAsItWould() throws Exception {
        Path damaged = AgentJars.copy("lockwatch-agent-without-edge-and-failures", (name, bytes) ->
                name.equals(MISSING_CLASS) || name.equals("io/lockwatch/runtime/track/TrackingFailures.class") ? null : bytes);
        ChildResult run = ChildJvm.run(NestedLocksLoop.class).agentJar(damaged).args(String.valueOf(ITERATIONS)).exec();
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("looped " + ITERATIONS + " times: " + expectedSum() + "\n", run.stdout);
        assertTrue(run.stderr.contains("[lockwatch] ERROR the agent could not start (java.lang.NoClassDefFoundError:"
                + " io/lockwatch/runtime/track/TrackingFailures); the application runs without lockwatch."), run.stderr);
    }

    /**
     * A failure on the fast path of a lock site makes an exception there, and every exception's constructor takes
     * a lock ({@code Throwable.fillInStackTrace} is synchronized). Tracked, that lock came back into the same
     * path, which failed again while making that exception, and so on until the stack ran out: the overflow
     * escaped into the JDK code that was running (here the class-file transformation, which printed a JVM
     * assertion on stderr), and each failure cost a whole stack of them. The jar lacks the class that the fast
     * order check of a nested lock needs, which the JDK's own start-up reaches.
     */
    @Test
    void aFailureOnTheFastPathDoesNotComeBackThroughItsOwnException() throws Exception {
        ChildResult run = loopRunAsWithoutLockwatch(AgentJars.without("io/lockwatch/runtime/track/StackCache.class"));
        assertFalse(run.stderr.contains("StackOverflowError"), run.stderr);
        List<String> stopped = Arrays.stream(run.stderr.split("\n"))
                .filter(line -> line.contains("stopped tracking locks")).toList();
        assertEquals(1, stopped.size(), run.stderr);
        assertTrue(stopped.get(0).contains("java.lang.NoClassDefFoundError: io/lockwatch/runtime/track/StackCache"),
                stopped.get(0));
        long counted = run.report().stat("internalErrors");
        assertTrue(counted >= 1_000 && counted < MOST_FAILURES_EXPECTED, "internal failures: " + counted);
    }

    /**
     * Once tracking has stopped, no lock site may fail again at every acquisition, not even in a method that
     * started before the stop and still hands its sites the thread's state. Here the failure recurs on the
     * lock path itself ({@link #RECORDINGS}), in a loop that runs on in the one method. Before, each of its
     * 400,000 acquisitions failed after the stop as before it (2M iterations: 4M failures, 38 times slower).
     */
    @Test
    void afterTheStopAMethodThatKeepsTheThreadsStateFailsNoMore() throws Exception {
        ChildResult run = loopScrapedWhileItWaits(NestedLockCallsLoop.class, AgentJars.without(RECORDINGS));
        run.assertOnlyAgentLinesOnStderr();
        assertTrue(run.stderr.contains("[lockwatch] ERROR stopped tracking locks after 1000 internal failures within"
                + " a second, the last in contention check: java.lang.NoClassDefFoundError: io/lockwatch/runtime/events/Recordings"),
                run.stderr);
    }

    /**
     * A failure's line on stderr is printed by lockwatch's own thread, not by the application thread it happened
     * on. That thread may be inside a lock site, holding the application's locks: printing there took the stream's
     * lock under them, an order the application never had, and could deadlock it (another thread holding the
     * stream and waiting for one of those locks); lockwatch then reported that order as the application's
     * potential deadlock. The jar lacks {@link #RECORDINGS}, so the failure happens while "locker" holds its lock
     * (as far as lockwatch knows: on its held stack, just before {@code lock()}).
     */
    @Test
    void aFailureIsPrintedByLockwatchsOwnThreadNotUnderTheApplicationsLocks() throws Exception {
        Path damaged = AgentJars.without(RECORDINGS);
        ChildResult run = ChildJvm.run(FailureUnderALock.class).agentJar(damaged).exec();
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("done\n", run.stdout);
        run.assertOnlyAgentLinesOnStderr();
        assertTrue(run.stderr.contains("[lockwatch] ERROR internal failure in contention check:"
                + " java.lang.NoClassDefFoundError: io/lockwatch/runtime/events/Recordings"), run.stderr);
        assertFalse(run.stderr.contains("POTENTIAL DEADLOCK"), run.stderr);
    }

    /**
     * When no thread's state can be made (the jar lacks a class of it), lockwatch's own detector thread must
     * go on without one: it marked itself as lockwatch's on its first line, outside any catch, and died there
     * with the error on stderr, leaving no report and no detection.
     */
    @Test
    void aThreadStateThatCannotBeMadeLeavesTheDetectorRunning() throws Exception {
        ChildResult run = loopRunAsWithoutLockwatch(AgentJars.without("io/lockwatch/runtime/track/KnownPairs.class"));
        Report report = run.report();
        assertEquals(1, report.stat("trackingStopped"), report.json.get("stats").toString());
        assertTrue(report.json.path("agent").path("trackingStopped").path("because").asText()
                .contains("NoClassDefFoundError: io/lockwatch/runtime/track/KnownPairs"), report.json.path("agent").toString());
    }

    /** A healthy agent never stops: the stat is there, at 0, and the report has no reason. */
    @Test
    void aHealthyAgentKeepsTracking() {
        ChildResult run = ChildJvm.run(NestedLocksLoop.class).args("1000").exec().assertCleanExit();
        assertEquals(0, run.report().stat("trackingStopped"));
        assertFalse(run.report().json.path("agent").has("trackingStopped"), run.report().json.path("agent").toString());
    }

    /** Runs {@link NestedLocksLoop} with the damaged jar: its output and exit as without lockwatch, only lockwatch's lines on stderr. */
    private static ChildResult loopRunAsWithoutLockwatch(Path jar) {
        ChildResult run = ChildJvm.run(NestedLocksLoop.class).agentJar(jar).args(String.valueOf(ITERATIONS)).exec();
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("looped " + ITERATIONS + " times: " + expectedSum() + "\n", run.stdout);
        run.assertOnlyAgentLinesOnStderr();
        return run;
    }

    /**
     * Runs {@code program}'s loop with the damaged jar and the metrics endpoint on. Once the loop is done, while
     * the program waits for "go", the scrape must show a stop after a thousand failures or so, not a failure per
     * acquisition; then the program must exit as it would without lockwatch.
     *
     * @return what the program left at exit
     */
    private static ChildResult loopScrapedWhileItWaits(Class<?> program, Path jar) throws Exception {
        ChildJvm.Running child = ChildJvm.run(program).agentJar(jar).agentOptions("port=0")
                .jvmArgs("-Dawait.go=true").args(String.valueOf(ITERATIONS)).start();
        boolean exited = false;
        try {
            child.awaitStdoutLine("looped " + ITERATIONS + " times: " + expectedSum(), 60);
            Scrape scrape = Scrape.of(Scrape.portOf(child));
            double failures = scrape.value("lockwatch_internal_errors_total");
            assertTrue(failures >= 1_000 && failures < MOST_FAILURES_EXPECTED, "internal failures: " + failures);
            assertEquals(1, scrape.value("lockwatch_tracking_stopped"), scrape.text);

            Files.createFile(child.dir().resolve("go"));
            ChildResult run = child.awaitExit(30);
            exited = true;
            assertEquals(0, run.exitCode, run.toString());
            assertEquals("looped " + ITERATIONS + " times: " + expectedSum() + "\n", run.stdout);
            return run;
        } finally {
            if (!exited) child.kill(30);
        }
    }

    private static long expectedSum() {
        return expectedSum(ITERATIONS);
    }

    /** What {@link NestedLocksLoop} (and {@link NestedLockCallsLoop}) print for {@code iterations}: the tests' own oracle. */
    static long expectedSum(int iterations) {
        long sum = 0;
        for (int i = 0; i < iterations; i++) {
            sum += i;
            sum = sum * 31 + i;
        }
        return sum;
    }
}
