package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.TooLargeToInstrument;
import io.lockwatch.it.programs.UninstrumentableClassUnderALock;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A class lockwatch cannot instrument (its lock sites would take a method past the class file format's 64 KiB
 * limit) runs unchanged; it is counted, and named on stderr by lockwatch's own thread, up to a cap.
 */
class UninstrumentableClassTest {
    private static final String WARNING = "[lockwatch] WARNING could not instrument ";

    @Test
    void aClassThatCannotBeInstrumentedRunsUnchangedCountedAndNamed() {
        ChildResult run = ChildJvm.run(TooLargeToInstrument.class).args("1").exec();
        assertRan(run, 1);
        assertTrue(run.stderr.contains(WARNING + "TooLarge0 (") && run.stderr.contains("Method too large"), run.stderr);
        assertTrue(run.stderr.contains("); it runs unchanged, its locks untracked\n"), run.stderr);
    }

    /**
     * A class whose one method is too large to instrument has its other methods instrumented: an inversion
     * through its small method is found. Before, the whole class ran unchanged and the inversion went unseen.
     */
    @Test
    void aMethodTooLargeToInstrumentIsLeftAloneAndTheClasssOtherMethodsAreInstrumented() {
        ChildResult run = ChildJvm.run(TooLargeToInstrument.class).args("1", "nest").exec();
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("ran 1\n", run.stdout, run.toString());
        assertTrue(run.stderr.contains(WARNING + "TooLarge0.run(Ljava/lang/Object;)I (") && run.stderr.contains("Method too large"), run.stderr);
        assertTrue(run.stderr.contains("); it runs unchanged, its locks untracked; the class's other methods are instrumented\n"), run.stderr);
        Report report = run.report();
        assertEquals(1, report.stat("instrumentationErrors"), report.json.get("stats").toString());
        assertEquals(1, report.stat("methodsUninstrumented"), report.json.get("stats").toString());
        assertEquals(0, report.stat("internalErrors"), report.json.get("stats").toString());
        JsonNode finding = report.singlePotentialDeadlock();
        for (JsonNode edge : finding.get("edges")) {
            assertTrue(edge.get("takenStack").get(0).asText().startsWith("TooLarge0.nest("), edge.toString());
        }
    }

    /**
     * A method too large to instrument that calls the {@code Lock} API is not left out alone: a lock it takes
     * could be released in an instrumented method (or the other way round), and would then stay held in
     * lockwatch's eyes. The whole class runs unchanged, as before.
     */
    @Test
    void aMethodTooLargeToInstrumentThatCallsTheLockApiLeavesItsWholeClassUnchanged() {
        ChildResult run = ChildJvm.run(TooLargeToInstrument.class).args("1", "nest-and-lock-api").exec();
        assertRan(run, 1);
        assertTrue(run.stderr.contains(WARNING + "TooLarge0 (") && run.stderr.contains("Method too large"), run.stderr);
        assertEquals(0, run.report().stat("methodsUninstrumented"));
    }

    /**
     * Where lockwatch printed that warning on the thread that loaded the class, it took the stderr stream's lock
     * there, under the application's locks: this program, which cannot deadlock on its own, deadlocked ("loader"
     * holding its lock and waiting for the stream, "printer" holding the stream and waiting for the lock).
     */
    @Test
    void theWarningIsPrintedByLockwatchsOwnThreadNotUnderTheApplicationsLocks() {
        ChildResult run = ChildJvm.run(UninstrumentableClassUnderALock.class).timeoutSeconds(30).exec();
        assertRan(run, 1);
        assertTrue(run.stderr.contains(WARNING + "TooLargeUnderALock ("), run.stderr);
        assertFalse(run.stderr.contains("DEADLOCK"), run.stderr);
    }

    /** Past the first ten, classes are counted and not named: one line says so, once. */
    @Test
    void pastTheFirstTenClassesAreCountedNotNamed() {
        ChildResult run = ChildJvm.run(TooLargeToInstrument.class).args("13").exec();
        assertRan(run, 13);
        long named = Arrays.stream(run.stderr.split("\n")).filter(line -> line.startsWith(WARNING)).count();
        assertEquals(10, named, run.stderr);
        assertTrue(run.stderr.contains(WARNING + "TooLarge9 ("), run.stderr);
        assertFalse(run.stderr.contains(WARNING + "TooLarge10 ("), run.stderr);
        String more = "[lockwatch] WARNING more classes could not be instrumented; past the first 10 they are counted"
                + " (stats.instrumentationErrors, lockwatch_instrumentation_errors_total), not named\n";
        assertEquals(1, run.stderr.split(java.util.regex.Pattern.quote(more), -1).length - 1, run.stderr);
    }

    /** Exit 0, every class ran, only lockwatch's lines on stderr, and each class counted in the report. */
    private static void assertRan(ChildResult run, int classes) {
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("ran " + classes + "\n", run.stdout, run.toString());
        run.assertOnlyAgentLinesOnStderr();
        Report report = run.report();
        assertEquals(classes, report.stat("instrumentationErrors"), report.json.get("stats").toString());
        assertEquals(0, report.stat("methodsUninstrumented"), report.json.get("stats").toString());
        assertEquals(0, report.stat("internalErrors"), report.json.get("stats").toString());
        report.assertNoPotentialDeadlocks();
    }
}
