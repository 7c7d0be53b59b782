package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.InversionThenWaits;
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
