package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void aFindingIsOnDiskWhileTheProgramRunsAndTheReportIsCompleteAfterSigterm() throws Exception {
        ChildJvm.Running child = ChildJvm.run(InversionThenWaits.class).start();
        child.awaitStdoutLine("ready", 60);
        child.awaitStderr("POTENTIAL DEADLOCK #1", 30);
        Path report = child.dir().resolve("report.json");
        // Written at once, before any exit: poll until the detector's write lands.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!(Files.exists(report) && Files.readString(report).contains("lock-order-inversion"))
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.readString(report).contains("lock-order-inversion"), "finding on disk before exit");

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
        Path report = child.dir().resolve("report.json");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.readString(report).contains("lock-order-inversion") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        ChildResult result = child.kill(30);
        assertEquals(137, result.exitCode);
        assertEquals(1, result.report().potentialDeadlocks().size(), "the finding survived SIGKILL");
    }
}
