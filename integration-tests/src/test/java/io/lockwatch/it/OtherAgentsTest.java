package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.StringBufferInversion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * lockwatch beside the agents users already run: the OpenTelemetry Java agent and Elastic's APM agent in production
 * (the OpenTelemetry Operator adds its agent through JAVA_TOOL_OPTIONS, so it starts before any -javaagent on the
 * command line) and JaCoCo in test runs, each before and after lockwatch. The program's inversion is in StringBuffer, a JDK class loaded
 * before any agent, so it is found only if lockwatch's retransformation of the early classes worked.
 */
class OtherAgentsTest {
    private static final Path AGENTS = Paths.get(System.getProperty("lockwatch.otherAgentsDir"));
    private static final String OPEN_TELEMETRY = "-javaagent:" + AGENTS.resolve("opentelemetry-javaagent.jar");
    /** Nothing exported: the test has no collector, and the agent would log every failed export. */
    private static final String[] NO_EXPORTS = {
        "-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none"};

    /**
     * The OpenTelemetry agent puts classes of its own on the boot class path before lockwatch starts. Their
     * module has no name, and lockwatch's check of which early classes its JDK list speaks for threw on it: the
     * retransformation of every early class stopped there (2 internal errors, 14 classes instrumented instead of
     * about 190), and the StringBuffer inversion went unseen. Once that was fixed, its transformer took tracked
     * locks while a class of lockwatch's was being loaded inside the tracker: a ClassCircularityError at every
     * lock (500 and more a run) and the finding lost, in 5 runs of 6 on JDK 25; three runs here.
     */
    @Test
    void withTheOpenTelemetryAgentStartedFirst() {
        for (int i = 0; i < 3; i++) {
            ChildResult run = ChildJvm.run(StringBufferInversion.class)
                    .env("JAVA_TOOL_OPTIONS", OPEN_TELEMETRY + " " + String.join(" ", NO_EXPORTS)).exec();
            assertFoundWithEveryEarlyClass(run);
        }
    }

    @Test
    void withTheOpenTelemetryAgentStartedAfter() {
        ChildResult run = ChildJvm.run(StringBufferInversion.class).jvmArgs(NO_EXPORTS).jvmArgs(OPEN_TELEMETRY).exec();
        assertFoundWithEveryEarlyClass(run);
    }

    /**
     * Elastic's APM agent, before and after lockwatch: like OpenTelemetry's, built on Byte Buddy, with classes of its
     * own on the boot class path, and it loads some 150 JDK classes before lockwatch starts when it comes first (237
     * early classes retransformed, against 81 without it). Probed by hand first (JDK 17 and 25): works, nothing to
     * fix. On JDK 25 this version (1.49.0) cannot apply its own instrumentations (it needs the Unsafe.defineClass
     * that JDK 25 removed: 283 errors logged a run, with or without lockwatch); lockwatch's work is unaffected.
     */
    @Test
    void withTheElasticApmAgentBeforeAndAfter() {
        String elastic = "-javaagent:" + AGENTS.resolve("elastic-apm-agent.jar");
        String[] quiet = {"-Delastic.apm.service_name=lockwatch-test", "-Delastic.apm.disable_send=true",
            "-Delastic.apm.central_config=false", "-Delastic.apm.cloud_provider=NONE",
            "-Delastic.apm.log_level=OFF"}; // it logs to stdout, which the test reads
        assertFoundWithEveryEarlyClass(ChildJvm.run(StringBufferInversion.class)
                .env("JAVA_TOOL_OPTIONS", elastic + " " + String.join(" ", quiet)).exec());
        assertFoundWithEveryEarlyClass(ChildJvm.run(StringBufferInversion.class).jvmArgs(quiet).jvmArgs(elastic).exec());
    }

    /** Coverage and findings both: JaCoCo's file is written, and lockwatch finds the inversion, in either order. */
    @Test
    void withJacocoBeforeAndAfter() throws Exception {
        Path before = ChildJvm.workDir().resolve("jacoco-before-" + System.nanoTime() + ".exec");
        Path after = ChildJvm.workDir().resolve("jacoco-after-" + System.nanoTime() + ".exec");
        String jacoco = "-javaagent:" + AGENTS.resolve("jacocoagent.jar") + "=destfile=";
        assertFoundWithEveryEarlyClass(ChildJvm.run(StringBufferInversion.class).env("JAVA_TOOL_OPTIONS", jacoco + before).exec());
        assertFoundWithEveryEarlyClass(ChildJvm.run(StringBufferInversion.class).jvmArgs(jacoco + after).exec());
        for (Path coverage : new Path[] {before, after}) {
            assertTrue(Files.size(coverage) > 0, coverage.toString());
            String classes = new String(Files.readAllBytes(coverage), StandardCharsets.ISO_8859_1);
            assertTrue(classes.contains("io/lockwatch/it/programs/StringBufferInversion"), "the program's coverage: " + coverage);
        }
    }

    private static void assertFoundWithEveryEarlyClass(ChildResult run) {
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("5\n", run.stdout, run.toString());
        Report report = run.report();
        assertEquals(0, report.stat("internalErrors"), run.stderr);
        assertEquals(0, report.stat("instrumentationErrors"), run.stderr);
        assertTrue(report.stat("classesRetransformed") >= 20, "the early JDK classes: " + report.json.get("stats"));
        report.singlePotentialDeadlock();
    }
}
