package io.lockwatch.it.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a child JVM left behind. */
public final class ChildResult {
    public final int exitCode;
    public final String stdout;
    public final String stderr;
    public final Path reportPath;
    public final Path dir;

    ChildResult(int exitCode, String stdout, String stderr, Path reportPath, Path dir) {
        this.exitCode = exitCode;
        this.stdout = stdout;
        this.stderr = stderr;
        this.reportPath = reportPath;
        this.dir = dir;
    }

    /** The report, validated against the shipped JSON Schema. */
    public Report report() {
        assertTrue(Files.exists(reportPath), "no report at " + reportPath + "\nstderr:\n" + stderr);
        JsonNode json = ReportSchema.readAndValidate(reportPath);
        return new Report(json, this);
    }

    /** The program ran normally: exit 0, no lockwatch error, nothing on stderr but lockwatch's own lines. */
    public ChildResult assertCleanExit() {
        assertEquals(0, exitCode, "exit code; stderr:\n" + stderr);
        assertOnlyAgentLinesOnStderr();
        assertTrue(!stderr.contains("[lockwatch] ERROR") && !stderr.contains("[lockwatch] WARNING"),
                "lockwatch reported a problem:\n" + stderr);
        if (Files.exists(reportPath)) {
            Report report = report();
            assertEquals(0, report.stat("internalErrors"), "lockwatch failed internally: " + report.json.get("stats"));
            assertEquals(0, report.stat("instrumentationErrors"), "a class could not be instrumented:\n" + stderr);
        }
        return this;
    }

    /** Everything on stderr is a {@code [lockwatch]} line (or the JVM's own note about class sharing). */
    public ChildResult assertOnlyAgentLinesOnStderr() {
        for (String line : stderr.split("\n")) {
            if (line.isEmpty() || line.startsWith("[lockwatch] ") || JvmNotes.isJvmNote(line)) continue;
            throw new AssertionError("unexpected stderr line: " + line + "\nfull stderr:\n" + stderr);
        }
        return this;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + " in " + dir + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
}
