package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.InversionThenWaits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The report is on disk as soon as something is found, complete after SIGTERM, and never half-written. */
class ReportFileTest {

    private static List<String> leftovers(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).collect(Collectors.toList());
        }
    }

    private static boolean hasFinding(JsonNode report) {
        return report.get("potentialDeadlocks").size() > 0;
    }

    @Test
    void aFindingIsOnDiskWhileTheProgramRunsAndTheReportIsCompleteAfterSigterm() throws Exception {
        ChildJvm.Running child = ChildJvm.run(InversionThenWaits.class).start();
        child.awaitStdoutLine("ready", 60);
        child.awaitStderr("POTENTIAL DEADLOCK #1", 30);
        // Written at once, before any exit.
        child.awaitReport("the finding on disk before exit", ReportFileTest::hasFinding, 30);

        ChildResult result = child.terminate(30);
        assertEquals(143, result.exitCode, "SIGTERM exit status is the JVM's own: " + result);
        Report after = result.report();
        assertEquals(1, after.potentialDeadlocks().size());
        assertTrue(after.stat("classesInstrumented") > 0, "the exit write has the final stats");
        assertEquals(List.of(), leftovers(child.dir()), "no temporary file left behind");
    }

    @Test
    void sigkillKeepsWhatWasFoundBeforeIt() throws Exception {
        ChildJvm.Running child = ChildJvm.run(InversionThenWaits.class).start();
        child.awaitStdoutLine("ready", 60);
        child.awaitStderr("POTENTIAL DEADLOCK #1", 30);
        child.awaitReport("the finding on disk before the kill", ReportFileTest::hasFinding, 30);
        ChildResult result = child.kill(30);
        assertEquals(137, result.exitCode);
        assertEquals(1, result.report().potentialDeadlocks().size(), "the finding survived SIGKILL");
    }
}
