package io.lockwatch.it;

import static io.lockwatch.it.harness.Report.assertFinding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import io.lockwatch.it.harness.AgentJars;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.ChildFirstSystemLoader;
import io.lockwatch.it.programs.ConcurrentMapInversion;
import io.lockwatch.it.programs.H2Workload;
import io.lockwatch.it.programs.HashtableInversion;
import io.lockwatch.it.programs.JulHandlerInversion;
import io.lockwatch.it.programs.Log4jInversion;
import io.lockwatch.it.programs.PrintStreamInversion;
import io.lockwatch.it.programs.StartJoinOrder;
import io.lockwatch.it.programs.StringBufferInversion;
import io.lockwatch.it.programs.StringBufferInversionAfterLateCheck;
import io.lockwatch.it.programs.SynchronizedWrappersInversion;
import io.lockwatch.it.programs.VectorInversion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Inversions whose locks live inside the JDK and third-party libraries, including JDK classes loaded
 * before the agent started: each must give exactly one finding, whose stacks reach the program's own code.
 */
class JdkAndLibraryInversionTest {

    private static JsonNode onlyFinding(ChildJvm child, Class<?> program) {
        ChildResult run = child.exec().assertCleanExit();
        Report report = run.report();
        assertEquals(0, report.stat("instrumentationErrors"), run.stderr);
        JsonNode finding = report.singlePotentialDeadlock();
        for (JsonNode edge : finding.get("edges")) {
            assertTrue(Report.mentions(edge.get("takenStack"), program),
                    "the stack reaches " + program.getSimpleName() + ": " + edge.get("takenStack"));
        }
        return finding;
    }

    @Test
    void stringBuffersAppendedToEachOther() {
        JsonNode finding = onlyFinding(ChildJvm.run(StringBufferInversion.class), StringBufferInversion.class);
        assertFinding(finding, StringBufferInversion.class, "java.lang.StringBuffer", "java.lang.StringBuffer");
    }

    /**
     * Start-up: of the JDK classes loaded before the agent (several hundred), only those that take a lock
     * are retransformed; StringBuffer, loaded that early, is one of them, as the test above shows.
     */
    @Test
    void onlyTheEarlyClassesThatTakeLocksAreRetransformed() {
        ChildResult run = ChildJvm.run(StringBufferInversion.class).exec().assertCleanExit();
        Report report = run.report();
        report.singlePotentialDeadlock();
        long retransformed = report.stat("classesRetransformed");
        long requested = report.stat("classesRetransformRequested");
        assertTrue(retransformed >= 20 && retransformed <= 200,
                "a few dozen early JDK classes take locks, not hundreds: " + report.json.get("stats"));
        assertTrue(requested >= retransformed && requested <= retransformed + 5,
                "the JVM is asked to retransform only (nearly) those: " + report.json.get("stats"));
        assertTrue(report.stat("retransformMillis") <= report.stat("startupMillis"), report.json.get("stats").toString());
        assertEquals(0, report.stat("classesFoundLate"), "the agent's list of the JDK's lock-taking classes named them all: " + run.stderr);
    }

    /**
     * premain picks the early JDK classes to retransform from the agent's list of the JDK classes that take a
     * lock. Here the lists, in a copy of the agent jar, leave StringBuffer out. If they name this JDK build as
     * the one they were read off, they are trusted: StringBuffer keeps its own code and its inversion is not
     * seen. If they name another build, the late check reads the classes they leave out, a second after
     * premain: it finds StringBuffer, retransforms it, says so in one line, and the inversion taken after that
     * is found.
     */
    @Test
    void onAnotherJdkBuildTheLateCheckFindsTheEarlyClassesTheListLeavesOut() throws IOException {
        Path trusted = agentJarWithLists("list-without-stringbuffer", line -> line.equals("java.lang.StringBuffer") ? null : line);
        ChildResult unseen = ChildJvm.run(StringBufferInversionAfterLateCheck.class).agentJar(trusted).exec().assertCleanExit();
        unseen.report().assertNoPotentialDeadlocks();
        assertEquals(0, unseen.report().stat("classesFoundLate"), unseen.stderr);

        Path otherBuild = agentJarWithLists("list-of-another-build-without-stringbuffer",
                line -> line.equals("java.lang.StringBuffer") ? null : line.startsWith("#build ") ? "#build Nobody 1.0+1" : line);
        ChildResult run = ChildJvm.run(StringBufferInversionAfterLateCheck.class).agentJar(otherBuild).exec().assertCleanExit();
        Report report = run.report();
        assertEquals(1, report.stat("classesFoundLate"), "StringBuffer alone is left out: " + run.stderr);
        assertTrue(run.stderr.contains("[lockwatch] early JDK classes that take a lock but are not in the agent's list for JDK "
                + ChildJvm.childFeatureVersion() + " (made on another build): java.lang.StringBuffer (1 in all)"), run.stderr);
        assertFinding(report.singlePotentialDeadlock(), StringBufferInversion.class, "java.lang.StringBuffer", "java.lang.StringBuffer");
    }

    /**
     * With a system class loader that looks at its own class path first, the agent's premain class finds that
     * loader's copy of the installer; the agent must start the bootstrap loader's copy, which the JDK's
     * retransformed classes call, or it sees none of their locks (as a plain direct call did, in this round).
     * The program's own classes call that loader's copy of the runtime, which is never started: their locks
     * go untracked, and the agent says so once, naming the loader and the fix.
     */
    @Test
    void aChildFirstSystemClassLoaderStillGetsTheBootstrapLoadersRuntime() {
        ChildResult run = ChildJvm.run(StringBufferInversion.class)
                .jvmArgs("-Djava.system.class.loader=" + ChildFirstSystemLoader.class.getName()).exec();
        assertEquals(0, run.exitCode, run.stderr);
        run.assertOnlyAgentLinesOnStderr();
        assertTrue(run.stderr.contains("[lockwatch] WARNING the system class loader (" + ChildFirstSystemLoader.class.getName()
                + ") loads lockwatch's classes from the agent jar itself"), run.stderr);
        assertTrue(run.stderr.contains("have it leave classes starting with io.lockwatch. to its parent"), run.stderr);
        Report report = run.report();
        assertEquals(0, report.stat("internalErrors"), run.stderr);
        assertFinding(report.singlePotentialDeadlock(), StringBufferInversion.class, "java.lang.StringBuffer", "java.lang.StringBuffer");

        // With the JDK's own system class loader, nothing to say.
        ChildResult plain = ChildJvm.run(StringBufferInversion.class).exec().assertCleanExit();
        assertFalse(plain.stderr.contains("system class loader"), plain.stderr);
    }

    /** A copy of the agent jar whose lists of the JDK's lock-taking classes are edited line by line (null drops a line). */
    private static Path agentJarWithLists(String name, UnaryOperator<String> perLine) throws IOException {
        int[] lists = {0};
        Path copy = AgentJars.copy(name, (entryName, bytes) -> {
            if (!entryName.matches("io/lockwatch/agent/instrument/jdk-lock-classes-\\d+\\.txt")) return bytes;
            lists[0]++;
            StringBuilder edited = new StringBuilder();
            for (String line : new String(bytes, StandardCharsets.ISO_8859_1).split("\n")) {
                String kept = perLine.apply(line);
                if (kept != null) edited.append(kept).append('\n');
            }
            return edited.toString().getBytes(StandardCharsets.ISO_8859_1);
        });
        assertTrue(lists[0] >= 2, "the agent jar holds its lists of the JDK's lock-taking classes");
        return copy;
    }

    /**
     * {@code retransform=minimal} (a faster start on JDK 17) retransforms only Thread and ConcurrentHashMap of
     * the classes loaded before the agent, and VirtualThread where there is one (JDK 21 and later). StringBuffer, loaded that early, keeps its own code: its inversion
     * is not seen, which is the mode's documented cost. The map's bins are still a lock (their inversion is
     * found), and Thread's hooks are still there: a lock order separated by Thread.start is no finding.
     */
    @Test
    void minimalRetransformationKeepsOnlyThreadAndTheMapsBinsOfTheEarlyClasses() {
        ChildResult stringBuffers = ChildJvm.run(StringBufferInversion.class).agentOptions("retransform=minimal")
                .exec().assertCleanExit();
        Report report = stringBuffers.report();
        report.assertNoPotentialDeadlocks();
        int minimal = ChildJvm.childFeatureVersion() >= 21 ? 3 : 2;
        assertEquals(minimal, report.stat("classesRetransformRequested"), report.json.get("stats").toString());
        assertEquals(minimal, report.stat("classesRetransformed"), report.json.get("stats").toString());
        assertEquals(0, report.stat("instrumentationErrors"), stringBuffers.stderr);

        JsonNode finding = onlyFinding(ChildJvm.run(ConcurrentMapInversion.class).agentOptions("retransform=minimal"),
                ConcurrentMapInversion.class);
        assertFinding(finding, ConcurrentMapInversion.class, "java.lang.Object", "java.util.concurrent.ConcurrentHashMap");

        ChildJvm.run(StartJoinOrder.class).args("start").agentOptions("retransform=minimal")
                .exec().assertCleanExit().report().assertNoPotentialDeadlocks();
    }

    /**
     * The agent rewrites the JDK's classes by editing their bytes (its ClassFileRewriter). The JVM does not
     * verify the boot loader's classes unless told to, so here it is told to: every early class the agent
     * retransforms, and every one it instruments at load, must pass the verifier, and the inversion is
     * still found.
     */
    @Test
    void rewrittenJdkClassesPassTheVerifier() {
        ChildResult run = ChildJvm.run(StringBufferInversion.class)
                .jvmArgs("-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal")
                .exec().assertCleanExit();
        Report report = run.report();
        report.singlePotentialDeadlock();
        assertEquals(0, report.stat("instrumentationErrors"), run.stderr);
        assertTrue(report.stat("classesRetransformed") >= 20, report.json.get("stats").toString());
    }

    @Test
    void vectorsComparedBothWays() {
        JsonNode finding = onlyFinding(ChildJvm.run(VectorInversion.class), VectorInversion.class);
        assertFinding(finding, VectorInversion.class, "java.util.Vector", "java.util.Vector");
    }

    /**
     * A put under a lock, and a mapping function that takes the lock: with keys in two different bins, as
     * here, they did not deadlock this time; with two keys in one bin they would. The map's bins are one
     * lock in the graph, named after the map.
     */
    @Test
    void concurrentHashMapBinsAgainstALockTakenInAMappingFunction() {
        JsonNode finding = onlyFinding(ChildJvm.run(ConcurrentMapInversion.class), ConcurrentMapInversion.class);
        assertFinding(finding, ConcurrentMapInversion.class, "java.lang.Object", "java.util.concurrent.ConcurrentHashMap");
        boolean binsNamed = false;
        for (JsonNode edge : finding.get("edges")) {
            String held = edge.get("held").get("lock").asText();
            binsNamed |= held.startsWith("java.util.concurrent.ConcurrentHashMap@") && held.endsWith(" (bins)");
        }
        assertTrue(binsNamed, "the map's bins are named as such: " + finding.toPrettyString());
    }

    @Test
    void hashtablesComparedBothWays() {
        JsonNode finding = onlyFinding(ChildJvm.run(HashtableInversion.class), HashtableInversion.class);
        assertFinding(finding, HashtableInversion.class, "java.util.Hashtable", "java.util.Hashtable");
    }

    @ParameterizedTest
    @ValueSource(strings = {"list", "map", "set"})
    void synchronizedWrappersAcrossTwoCollections(String kind) {
        JsonNode finding = onlyFinding(ChildJvm.run(SynchronizedWrappersInversion.class).args(kind),
                SynchronizedWrappersInversion.class);
        for (JsonNode edge : finding.get("edges")) {
            assertTrue(edge.get("held").get("class").asText().startsWith("java.util.Collections$Synchronized"), edge.toString());
        }
    }

    @Test
    void julHandlerFormattingAMessageThatLocks() {
        if (ChildJvm.childFeatureVersion() >= 25) {
            // JDK 25's StreamHandler formats the record before it takes its lock: the inversion is gone,
            // and lockwatch must not invent it.
            ChildJvm.run(JulHandlerInversion.class).exec().assertCleanExit().report().assertNoPotentialDeadlocks();
            return;
        }
        JsonNode finding = onlyFinding(ChildJvm.run(JulHandlerInversion.class), JulHandlerInversion.class);
        assertTrue(finding.toString().contains("java.lang.Object@"), "the ledger is one of the locks: " + finding);
        // JDK 17 locks the handler itself (a synchronized publish); JDK 21 a ReentrantLock of the handler's, which
        // Handler.tryUseLock takes for the JDK's own handler classes.
        String handlerLock = ChildJvm.childFeatureVersion() >= 21 ? "java.util.logging.Handler.tryUseLock(" : "java.util.logging.StreamHandler@";
        assertTrue(finding.toString().contains(handlerLock), "the handler's lock is the other: " + finding);
    }

    @Test
    void printStreamFormattingAnArgumentThatLocks() {
        JsonNode finding = onlyFinding(ChildJvm.run(PrintStreamInversion.class), PrintStreamInversion.class);
        assertTrue(finding.toString().contains("java.lang.Object@"), "the ledger is one of the locks: " + finding);
    }

    @Test
    void log4jCategoryAndAppenderRenderingAMessageThatLocks() {
        JsonNode finding = onlyFinding(ChildJvm.run(Log4jInversion.class).library("log4j-1.2"), Log4jInversion.class);
        String text = finding.toString();
        assertTrue(text.contains("org.apache.log4j.Logger@") || text.contains("org.apache.log4j.WriterAppender@"),
                "a log4j lock is in the cycle: " + text);
        int deepest = 0;
        for (JsonNode edge : finding.get("edges")) deepest = Math.max(deepest, edge.get("takenStack").size());
        assertTrue(deepest >= 15, "the message's toString() is reached through log4j's frames: " + finding);
    }

    /**
     * H2 runs with the agent, and with the verifier on for the boot loader's classes too, so every class
     * rewritten on the way (H2's, and the JDK's it loads) is verified: none may fail.
     */
    @Test
    void aRealApplicationStartsCleanly() {
        ChildResult run = ChildJvm.run(H2Workload.class).library("h2-")
                .jvmArgs("-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal").exec().assertCleanExit();
        assertEquals("total=100000\n", run.stdout);
        Report report = run.report().assertNoPotentialDeadlocks();
        assertEquals(0, report.stat("instrumentationErrors"));
        assertEquals(0, report.stat("internalErrors"));
        assertTrue(report.stat("classesInstrumented") > 100, "H2 and the JDK are instrumented: " + report.json.get("stats"));
    }
}
