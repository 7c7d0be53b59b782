package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.programs.MonitorInversion;
import io.lockwatch.it.programs.PrintsAndExits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Options from the agent argument, system properties and the environment; bad input never stops the program. */
class AgentOptionsTest {

    private static List<String> errorLines(ChildResult run) {
        return run.stderr.lines().filter(l -> l.startsWith("[lockwatch] ERROR")).collect(Collectors.toList());
    }

    /** MonitorInversion ran as it does without lockwatch, and lockwatch said one error line: that line. */
    private static String theOneErrorOfAnInversionRun(ChildResult run) {
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("done\n", run.stdout);
        List<String> errors = errorLines(run);
        assertEquals(1, errors.size(), run.stderr);
        return errors.get(0);
    }

    /** The program's own behaviour is untouched: same stdout, same exit code. */
    private static void assertProgramUnchanged(ChildResult run) {
        assertEquals("line 0\nline 1\nline 2\nno newline at the end", run.stdout);
        assertEquals(7, run.exitCode, run.toString());
    }

    @Test
    void unknownOptionIsOneClearErrorAndTheProgramRuns() {
        ChildResult run = ChildJvm.run(PrintsAndExits.class).agentOptions("stack-dept=32").args("7").exec();
        assertProgramUnchanged(run);
        List<String> errors = errorLines(run);
        assertEquals(1, errors.size(), run.stderr);
        assertTrue(errors.get(0).contains("unknown option 'stack-dept'") && errors.get(0).contains("stack-depth"),
                "names the key and the known keys: " + errors);
    }

    @Test
    void malformedValuesAreOneErrorEachNamingKeyValueAndWhatIsAccepted() {
        ChildResult run = ChildJvm.run(PrintsAndExits.class)
                .agentOptions("stall-threshold=2 seconds,stack-depth=-1,port=http").args("7").exec();
        assertProgramUnchanged(run);
        List<String> errors = errorLines(run);
        assertEquals(3, errors.size(), run.stderr);
        assertTrue(errors.stream().anyMatch(l -> l.contains("stall-threshold") && l.contains("'2 seconds'") && l.contains("ms, s, m or h")), run.stderr);
        assertTrue(errors.stream().anyMatch(l -> l.contains("stack-depth") && l.contains("'-1'") && l.contains("8 to 1024")), run.stderr);
        assertTrue(errors.stream().anyMatch(l -> l.contains("port") && l.contains("'http'") && l.contains("0 to 65535")), run.stderr);
        assertEquals("10s", run.report().json.get("agent").get("options").get("stall-threshold").asText(), "defaults used");
    }

    @Test
    void unwritableReportPathIsOneErrorAndFindingsStillReachStderr() {
        ChildResult run = ChildJvm.run(MonitorInversion.class).withoutReportOption()
                .agentOptions("report=/proc/lockwatch/cannot/report.json").exec();
        String error = theOneErrorOfAnInversionRun(run);
        assertTrue(error.contains("/proc/lockwatch/cannot/report.json") && error.contains("report=PATH"),
                "names the path and the fix: " + error);
        assertTrue(run.stderr.contains("POTENTIAL DEADLOCK #1"), run.stderr);
    }

    /**
     * The agent given twice (on the command line and in JAVA_TOOL_OPTIONS, say) ran twice: every class was
     * instrumented twice over, and two detectors wrote the same report, the one that had not seen the finding
     * last, so the finding printed on stderr was missing from the report. Now the second is one warning, and
     * ignored.
     */
    @Test
    void theAgentGivenTwiceRunsOnceAndSaysSo() throws Exception {
        Path second = ChildJvm.workDir().resolve("second-agent-report.json");
        Files.deleteIfExists(second);
        ChildResult run = ChildJvm.run(MonitorInversion.class)
                .jvmArgs("-javaagent:" + ChildJvm.realAgentJar() + "=report=" + second).exec();
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("done\n", run.stdout);
        run.assertOnlyAgentLinesOnStderr();
        assertEquals(1, run.stderr.split(" watching this JVM; report: ", -1).length - 1, run.stderr);
        assertTrue(run.stderr.contains("[lockwatch] WARNING lockwatch is attached to this JVM twice (-javaagent given twice:"
                + " on the command line and in JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS, say); the first one runs (report: "
                + run.dir.resolve("report.json") + "), this one (report=" + second + ") is ignored. Fix: give -javaagent once\n"),
                run.stderr);
        run.report().singlePotentialDeadlock();
        assertTrue(Files.notExists(second), "the second agent wrote no report of its own");
    }

    @Test
    void systemPropertyAndEnvironmentAreReadAndTheAgentArgumentWins() throws Exception {
        ChildResult run = ChildJvm.run(PrintsAndExits.class).withoutReportOption()
                .env("LOCKWATCH_STACK_DEPTH", "20")
                .env("LOCKWATCH_STALL_THRESHOLD", "3s")
                .jvmArgs("-Dlockwatch.stall-threshold=250ms", "-Dlockwatch.report=from-property.json")
                .agentOptions("report=from-argument.json")
                .args("7").exec();
        assertProgramUnchanged(run);
        assertTrue(errorLines(run).isEmpty(), run.stderr);
        assertTrue(Files.exists(run.dir.resolve("from-argument.json")), "agent argument wins over the property");
        assertTrue(!Files.exists(run.dir.resolve("from-property.json")));
        String report = Files.readString(run.dir.resolve("from-argument.json"));
        assertTrue(report.contains("\"stall-threshold\": \"250ms\""), "property wins over environment: " + report);
        assertTrue(report.contains("\"stack-depth\": \"20\""), "environment is read: " + report);
    }

    @Test
    void withoutAnyOptionTheReportGoesToTheWorkingDirectory() throws Exception {
        ChildResult run = ChildJvm.run(PrintsAndExits.class).withoutReportOption().args("7").exec();
        assertProgramUnchanged(run);
        try (var files = Files.list(run.dir)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().matches("lockwatch-\\d+\\.json")),
                    "default report lockwatch-<pid>.json in " + run.dir);
        }
    }

    /**
     * {@code enabled=false} turns lockwatch off where the {@code -javaagent} flag cannot be taken away (a platform's
     * {@code JAVA_TOOL_OPTIONS}): one line says so and where it came from, and the JVM runs as without the agent. The
     * jar is not even put on the boot class path: the JVM's own line about class data sharing, which that would
     * bring, is absent, and no report is written.
     */
    @Test
    void enabledFalseLeavesTheJvmAsItWasInOneLine() throws Exception {
        ChildResult run = ChildJvm.run(PrintsAndExits.class).agentOptions("enabled=false").args("7").exec();
        assertProgramUnchanged(run);
        assertEquals("[lockwatch] off (enabled=false in -javaagent): the application runs without lockwatch\n", run.stderr);
        assertTrue(Files.notExists(run.reportPath), "no report: " + run.reportPath);
    }

    /** The same from the environment or a system property, in the order of every option: the argument wins. */
    @Test
    void enabledIsReadFromTheEnvironmentAndPropertiesAndTheAgentArgumentWins() throws Exception {
        ChildResult off = ChildJvm.run(MonitorInversion.class).env("LOCKWATCH_ENABLED", "False").exec();
        assertEquals(0, off.exitCode, off.toString());
        assertEquals("done\n", off.stdout);
        assertEquals("[lockwatch] off (LOCKWATCH_ENABLED=False): the application runs without lockwatch\n", off.stderr);
        assertTrue(Files.notExists(off.reportPath), "no report: " + off.reportPath);

        ChildResult offByProperty = ChildJvm.run(MonitorInversion.class).env("LOCKWATCH_ENABLED", "true")
                .jvmArgs("-Dlockwatch.enabled=false").exec();
        assertEquals("[lockwatch] off (-Dlockwatch.enabled=false): the application runs without lockwatch\n",
                offByProperty.stderr, "the property wins over the environment");

        ChildResult on = ChildJvm.run(MonitorInversion.class).env("LOCKWATCH_ENABLED", "false")
                .jvmArgs("-Dlockwatch.enabled=false").agentOptions("enabled=true").exec();
        assertEquals(0, on.exitCode, on.toString());
        assertTrue(errorLines(on).isEmpty(), on.stderr);
        assertTrue(on.stderr.contains("POTENTIAL DEADLOCK #1"), "the agent argument wins: " + on.stderr);
        assertEquals(1, on.report().potentialDeadlocks().size(), on.stderr);
    }

    /** A value that is neither true nor false is one error, and lockwatch runs (the default). */
    @Test
    void aBadEnabledValueIsOneErrorAndLockwatchRuns() {
        ChildResult run = ChildJvm.run(MonitorInversion.class).agentOptions("enabled=no").exec();
        String error = theOneErrorOfAnInversionRun(run);
        assertTrue(error.contains("bad value for option enabled: 'no'") && error.contains("true (the default) or false"),
                "names the key, the value and what is accepted: " + error);
        assertEquals(1, run.report().potentialDeadlocks().size(), run.stderr);
    }
}
