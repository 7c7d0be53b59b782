package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.InversionThenWaits;
import io.lockwatch.it.programs.MonitorInversion;
import io.lockwatch.it.programs.PrintsAndExits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The report is on disk as soon as something is found, complete after SIGTERM, and never half-written. */
class ReportFileTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

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

    /**
     * One report= for several JVMs (JAVA_TOOL_OPTIONS reaches every JVM in the environment, jcmd's too): a tool
     * that ran while the service did replaced the service's report with its own empty one, findings and all, until
     * the service wrote again. Now the report of a process that is still running is left to it: the newcomer
     * writes next to it and says so, with the fix (%p, which becomes each JVM's pid).
     */
    @Test
    void aReportOfAnotherRunningJvmIsLeftToIt() throws Exception {
        ChildJvm.Running service = ChildJvm.run(InversionThenWaits.class).start();
        try {
            service.awaitStdoutLine("ready", 60);
            service.awaitReport("the finding on disk", ReportFileTest::hasFinding, 30);
            Path shared = service.dir().resolve("report.json");

            ChildJvm.Running tool = ChildJvm.run(PrintsAndExits.class).withoutReportOption()
                    .agentOptions("report=" + shared).start();
            ChildResult toolRun = tool.awaitExit(60);
            assertEquals(0, toolRun.exitCode, toolRun.toString());
            Path toolReport = service.dir().resolve("report-" + tool.pid() + ".json");
            assertTrue(toolRun.stderr.contains("[lockwatch] WARNING the report " + shared + " is the report of process "
                    + service.pid() + ", whose lockwatch is still running (one report= for several JVMs: JAVA_TOOL_OPTIONS"
                    + " reaches every JVM, jcmd's too); this JVM's report is " + toolReport + ". Fix: put %p in the path"
                    + " (report=/var/log/lockwatch-%p.json), which becomes each JVM's pid\n"), toolRun.stderr);
            assertEquals(tool.pid(), MAPPER.readTree(toolReport.toFile()).get("agent").get("pid").asLong());
            JsonNode serviceReport = MAPPER.readTree(shared.toFile());
            assertEquals(service.pid(), serviceReport.get("agent").get("pid").asLong(), "still the service's");
            assertTrue(hasFinding(serviceReport), serviceReport.toPrettyString());
        } finally {
            service.kill(30);
        }
    }

    /**
     * A service restarted in its container is pid 1 again, and its default report path (lockwatch-1.json) is the
     * one the run before wrote: that run's findings (the deadlock it was restarted for, say) were written over
     * within a second. Now a report of an ended JVM that has findings is kept as lockwatch-1.previous.json; one
     * without findings is written over, as before.
     */
    @Test
    void aServiceRestartedInItsContainerKeepsTheFindingsOfTheRunBefore() throws Exception {
        assumeTrue(ChildJvm.containersWork(), "needs unshare (Linux, root)");
        Path shared = Files.createDirectories(ChildJvm.workDir().resolve("container-restarts-" + System.nanoTime()));
        Path report = shared.resolve("lockwatch-1.json");
        Path previous = shared.resolve("lockwatch-1.previous.json");
        String option = "report=" + shared.resolve("lockwatch-%p.json");

        ChildResult deadlocked = ChildJvm.run(MonitorInversion.class).inContainer("service-a").withoutReportOption()
                .agentOptions(option).exec().assertCleanExit();
        JsonNode first = MAPPER.readTree(report.toFile());
        assertTrue(hasFinding(first), deadlocked.toString());
        assertEquals("service-a", first.get("agent").get("hostName").asText());

        ChildResult restarted = ChildJvm.run(PrintsAndExits.class).inContainer("service-a").withoutReportOption()
                .agentOptions(option).exec();
        assertEquals(0, restarted.exitCode, restarted.toString());
        assertTrue(restarted.stderr.contains("[lockwatch] the report " + report + " of an earlier JVM (process 1, started "
                + first.get("agent").get("startTime").asText() + ") has findings: kept as " + previous + "\n"), restarted.stderr);
        JsonNode second = MAPPER.readTree(report.toFile());
        assertEquals(1, second.get("agent").get("pid").asLong());
        assertFalse(hasFinding(second), second.toPrettyString());
        assertEquals(first, MAPPER.readTree(previous.toFile()), "the run before's report, whole");

        // A report without findings is written over, and the kept one stays.
        ChildResult again = ChildJvm.run(PrintsAndExits.class).inContainer("service-a").withoutReportOption()
                .agentOptions(option).exec();
        assertEquals(0, again.exitCode, again.toString());
        assertFalse(again.stderr.contains("has findings"), again.stderr);
        assertNotEquals(second.get("agent").get("startTime"), MAPPER.readTree(report.toFile()).get("agent").get("startTime"),
                "the third run's report");
        assertEquals(first, MAPPER.readTree(previous.toFile()));
        assertEquals(List.of(), leftovers(shared));
    }

    /**
     * Containers that share a folder are all pid 1: the second one's lockwatch took the first one's report for its
     * own and wrote over it. Now a report names its host, and one from another host is left to it.
     */
    @Test
    void containersSharingAFolderKeepTheirOwnReports() throws Exception {
        assumeTrue(ChildJvm.containersWork(), "needs unshare (Linux, root)");
        Path shared = Files.createDirectories(ChildJvm.workDir().resolve("shared-volume-" + System.nanoTime()));
        Path report = shared.resolve("lockwatch.json");
        String option = "report=" + report;

        ChildJvm.run(MonitorInversion.class).inContainer("box-a").withoutReportOption().agentOptions(option)
                .exec().assertCleanExit();
        ChildResult other = ChildJvm.run(PrintsAndExits.class).inContainer("box-b").withoutReportOption()
                .agentOptions(option).exec();
        assertEquals(0, other.exitCode, other.toString());
        Path itsOwn = shared.resolve("lockwatch-box-b-1.json");
        assertTrue(other.stderr.contains("[lockwatch] WARNING the report " + report + " is the report of process 1 on host"
                + " box-a, whose lockwatch may still be running (one report= for several JVMs: JAVA_TOOL_OPTIONS reaches"
                + " every JVM, jcmd's too); this JVM's report is " + itsOwn + ". Fix: put %hn and %p in the path"
                + " (report=/shared/lockwatch-%hn-%p.json), which become each JVM's host name and pid\n"), other.stderr);
        JsonNode boxA = MAPPER.readTree(report.toFile());
        assertEquals("box-a", boxA.get("agent").get("hostName").asText());
        assertTrue(hasFinding(boxA), boxA.toPrettyString());
        assertEquals("box-b", MAPPER.readTree(itsOwn.toFile()).get("agent").get("hostName").asText());
    }

    /** %hn in the path is the host name, as in -Xlog's file=. */
    @Test
    void percentHnInTheReportPathIsTheHostName() throws Exception {
        assumeTrue(ChildJvm.containersWork(), "needs unshare (Linux, root)");
        ChildJvm.Running child = ChildJvm.run(PrintsAndExits.class).inContainer("box-c").withoutReportOption()
                .agentOptions("report=lockwatch-%hn-%p.json").start();
        ChildResult run = child.awaitExit(60);
        assertEquals(0, run.exitCode, run.toString());
        JsonNode report = MAPPER.readTree(child.dir().resolve("lockwatch-box-c-1.json").toFile());
        assertEquals("box-c", report.get("agent").get("hostName").asText());
    }

    /** %p in the path is the process id. */
    @Test
    void percentPInTheReportPathIsThePid() throws Exception {
        ChildJvm.Running child = ChildJvm.run(PrintsAndExits.class).withoutReportOption()
                .agentOptions("report=lockwatch-of-%p.json").start();
        ChildResult run = child.awaitExit(60);
        assertEquals(0, run.exitCode, run.toString());
        Path report = child.dir().resolve("lockwatch-of-" + child.pid() + ".json");
        assertEquals(child.pid(), MAPPER.readTree(report.toFile()).get("agent").get("pid").asLong());
    }
}
