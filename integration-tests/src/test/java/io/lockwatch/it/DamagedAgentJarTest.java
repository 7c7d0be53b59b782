package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.lockwatch.it.harness.AgentJars;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.TwoAtATime;
import io.lockwatch.it.programs.NestedLocksLoop;
import io.lockwatch.it.programs.ReentryAndWaits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each class of lockwatch left out of the agent jar in turn, as in a jar overwritten under a running JVM or a
 * bad build: whatever lockwatch can still do, the program runs as it would without it, and says nothing on
 * stderr but lockwatch's own lines; and an agent that started writes its report. The program takes monitors and a {@code ReentrantLock} (nested, re-entered),
 * waits on a monitor and on a {@code Condition}, and starts and joins threads, so every kind of instrumented
 * site calls into lockwatch.
 *
 * <p>What this sweep finds in the agent as it was before it was written, each now fixed: an exception made on
 * a lock site's fast path came back into that path through its own constructor until the stack overflowed (a
 * JVM assertion on stderr); lockwatch's detector thread died on its first line; an application thread died
 * in a wait (a class the wait sites call directly, or one called outside any catch); and an agent that had
 * started wrote no report, because a class of the report's own or of one of its counters could not load.
 */
@TwoAtATime // hundreds of short child JVMs, independent, nothing timed
class DamagedAgentJarTest {
    /** Every class of lockwatch's own in the jar but the premain class, without which the JVM does not start at all. */
    static List<String> lockwatchClasses() throws IOException {
        try (JarFile jar = new JarFile(ChildJvm.realAgentJar().toFile())) {
            String premain = jar.getManifest().getMainAttributes().getValue("Premain-Class").replace('.', '/') + ".class";
            List<String> classes = jar.stream().map(e -> e.getName())
                    .filter(name -> name.matches("io/lockwatch/(agent|runtime)/.*\\.class") && !name.equals(premain))
                    .sorted().collect(Collectors.toList());
            assertFalse(classes.isEmpty(), "no lockwatch classes in " + ChildJvm.realAgentJar());
            return classes;
        }
    }

    /** The classes of the metrics endpoint, which starts a second after premain, on a thread of its own. */
    static List<String> metricsClasses() throws IOException {
        List<String> classes = lockwatchClasses().stream()
                .filter(name -> name.startsWith("io/lockwatch/agent/metrics/")).collect(Collectors.toList());
        assertFalse(classes.isEmpty(), "no metrics classes in " + ChildJvm.realAgentJar());
        return classes;
    }

    @ParameterizedTest(name = "without {0}")
    @MethodSource("lockwatchClasses")
    void theProgramRunsAsItWouldWithoutLockwatch(String classFile) throws IOException {
        Path damaged = AgentJars.without(classFile);
        try {
            assertRanAsWithoutLockwatch(ChildJvm.run(ReentryAndWaits.class).agentJar(damaged).args("reenter").exec(), "done\n");
        } finally {
            Files.deleteIfExists(damaged);
        }
    }

    /** Exit 0, the program's own output, only lockwatch's lines on stderr, and a report from an agent that started. */
    private static void assertRanAsWithoutLockwatch(ChildResult run, String stdout) {
        assertEquals(0, run.exitCode, run.toString());
        assertEquals(stdout, run.stdout, run.toString());
        run.assertOnlyAgentLinesOnStderr();
        // An agent that started writes its report: a class that writing needs fails the start instead.
        if (run.stderr.contains(" watching this JVM; report: ")) run.report();
    }

    /**
     * The same with the metrics endpoint on ({@code port=0}), in a program that lives until the endpoint has
     * started or said that it could not: the short program above ends before the endpoint starts.
     */
    @ParameterizedTest(name = "without {0}, the endpoint on")
    @MethodSource("metricsClasses")
    void withTheEndpointOnTheProgramRunsAsItWouldWithoutLockwatch(String classFile) throws IOException {
        Path damaged = AgentJars.without(classFile);
        ChildJvm.Running child = ChildJvm.run(NestedLocksLoop.class).agentJar(damaged).agentOptions("port=0")
                .jvmArgs("-Dawait.go=true").args("1000").start();
        ChildResult run = null;
        try {
            child.awaitStderrAny(60, "[lockwatch] metrics at http://", "[lockwatch] ERROR the metrics endpoint could not start",
                    "[lockwatch] ERROR the agent could not start");
            Files.createFile(child.dir().resolve("go"));
            run = child.awaitExit(30);
            assertRanAsWithoutLockwatch(run, "looped 1000 times: " + RecurringFailureTest.expectedSum(1000) + "\n");
        } finally {
            if (run == null) child.kill(30);
            Files.deleteIfExists(damaged);
        }
    }
}
