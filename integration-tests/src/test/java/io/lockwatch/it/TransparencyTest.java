package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.ContendsEveryPrimitive;
import io.lockwatch.it.programs.FrameShapes;
import io.lockwatch.it.programs.LocksTheJitEliminates;
import io.lockwatch.it.programs.LocksWhileRecording;
import io.lockwatch.it.programs.MixedInversion;
import io.lockwatch.it.programs.NewEdgeChurn;
import io.lockwatch.it.programs.PrintsAndExits;
import io.lockwatch.it.programs.SameOrderUnderLoad;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The agent is invisible to the program: stdout and the exit code are what they are without it. */
class TransparencyTest {

    @Test
    void stdoutAndExitCodeAreExactlyThoseWithoutTheAgent() {
        for (String code : new String[] {"0", "3"}) {
            ChildResult without = ChildJvm.run(PrintsAndExits.class).withoutAgent().args(code).exec();
            ChildResult with = ChildJvm.run(PrintsAndExits.class).args(code).exec();
            assertEquals(without.stdout, with.stdout);
            assertEquals(without.exitCode, with.exitCode);
            assertEquals(Integer.parseInt(code), with.exitCode);
            with.assertOnlyAgentLinesOnStderr();
        }
    }

    /**
     * The agent's start spins no classes of its own: no lambda of lockwatch's code and no record's
     * equals/hashCode (bootstrapped through {@code java.lang.runtime.ObjectMethods}) runs before the program's
     * main. Each would cost the JVM method handles and a class generated at run time, in premain, where
     * start-up is already the agent's largest cost (and on JDK 25, whose class-file API is interpreted that
     * early, more). The JDK's own lambdas, which the Instrumentation API uses, are not lockwatch's to avoid.
     */
    @Test
    void premainSpinsNoClassesOfItsOwn() {
        List<String> beforeMain = logBeforeMain(ChildJvm.run(PrintsAndExits.class), "class+load=info");
        assertTrue(beforeMain.size() > 300, "class loading logged before main: " + beforeMain.size());
        Pattern lockwatchLambda = Pattern.compile("io\\.lockwatch\\.\\S*\\$\\$Lambda");
        List<String> spun = beforeMain.stream()
                .filter(line -> line.contains("java.lang.runtime.ObjectMethods") || lockwatchLambda.matcher(line).find())
                .collect(Collectors.toList());
        assertEquals(List.of(), spun, "classes spun for lockwatch's own code before main");
    }

    /**
     * Premain loads every class of lockwatch's runtime but the JFR events: one loaded later, from inside the tracker,
     * is handed to every transformer, and another agent's that takes locks there brought the tracker back in on the
     * class it was loading (a ClassCircularityError at every lock). It loads them by the list that the runtime's
     * build writes into the jar, which must name every one of them; the events load once a recording exists.
     */
    @Test
    void premainLoadsEveryRuntimeClassButTheEvents() throws IOException {
        Set<String> runtimeClasses = new TreeSet<>();
        try (JarFile jar = new JarFile(ChildJvm.realAgentJar().toFile())) {
            for (JarEntry entry : Collections.list(jar.entries())) {
                String name = entry.getName();
                if (name.startsWith("io/lockwatch/runtime/") && name.endsWith(".class")) {
                    runtimeClasses.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
                }
            }
        }
        assertTrue(runtimeClasses.size() > 100, "runtime classes in the jar: " + runtimeClasses);
        Set<String> loadedBeforeMain = loadedClasses(logBeforeMain(ChildJvm.run(PrintsAndExits.class), "class+load=info"), " source: ");
        Set<String> notLoaded = new TreeSet<>();
        for (String name : runtimeClasses) {
            // Recordings, in the events' package, is no event: the tracker asks it whether a recording runs.
            boolean event = name.startsWith("io.lockwatch.runtime.events.") && name.contains("Event") || name.endsWith("$Probes");
            if (event) {
                assertFalse(loadedBeforeMain.contains(name), name + " loaded before main, without a recording");
            } else if (!loadedBeforeMain.contains(name)) {
                notLoaded.add(name);
            }
        }
        assertEquals(Set.of(), notLoaded, "runtime classes not loaded before main");
    }

    /**
     * The agent's start asks the JDK for the environment only when the process has a {@code LOCKWATCH_} variable:
     * the JDK's first {@code System.getenv} loads its copy of the environment and, on JDK 25, {@code ProcessImpl}, a
     * class with locks that premain then had to retransform (about 10 ms of a JDK 25 start-up). With such a variable
     * it is read as before (AgentOptionsTest checks that it takes effect).
     */
    @Test
    void premainReadsTheEnvironmentOnlyWhenItNamesLockwatch() {
        for (boolean named : new boolean[] {false, true}) {
            ChildJvm child = ChildJvm.run(PrintsAndExits.class);
            List<String> beforeMain = logBeforeMain(named ? child.env("LOCKWATCH_STACK_DEPTH", "20") : child, "class+load=info");
            assertEquals(named, loadedClasses(beforeMain, " source: ").contains("java.lang.ProcessEnvironment"),
                    "the JDK's environment read before main, " + (named ? "with" : "without") + " LOCKWATCH_STACK_DEPTH");
        }
    }

    /**
     * Premain retransforms the JDK classes loaded before it that take a lock, and next to none that its own start
     * loaded: each costs the start-up a redefinition (and on JDK 25 a verification of the class again), where a class
     * loaded after premain is instrumented as it loads. Compared with lockwatch turned off ({@code enabled=false}: the
     * JVM opens the jar and calls premain, which returns), it adds only the classes its exit hook and its caches need.
     * Its reading of the system properties (their synchronized views), of its own jar (a verifier) and the hang
     * detector's look at virtual threads (ForkJoinPool, the type of one of their fields) each added one.
     */
    @Test
    void premainRetransformsNextToNoClassOfItsOwnLoading() {
        Set<String> loadedWhenOff =
                loadedClasses(logBeforeMain(ChildJvm.run(PrintsAndExits.class).agentOptions("enabled=false"), "class+load=info"), " source: ");
        Set<String> retransformed = loadedClasses(logBeforeMain(ChildJvm.run(PrintsAndExits.class), "class+load=info"),
                " source: __VM_RedefineClasses__");
        assertTrue(retransformed.size() > 30, "retransformed before main: " + retransformed);
        retransformed.removeAll(loadedWhenOff);
        retransformed.removeAll(Set.of("java.lang.ApplicationShutdownHooks", "java.lang.Shutdown", "java.lang.ClassValue"));
        assertEquals(Set.of(), retransformed, "classes premain loaded, then retransformed");
    }

    /** PrintsAndExits run with the JVM's log (-Xlog:...) on stdout: its lines before the program's class loaded. */
    private static List<String> logBeforeMain(ChildJvm child, String log) {
        ChildResult run = child.jvmArgs("-Xlog:" + log).exec();
        assertEquals(0, run.exitCode, run.toString());
        List<String> lines = new ArrayList<>();
        for (String line : run.stdout.split("\n")) {
            if (line.contains(" " + PrintsAndExits.class.getName() + " source:")) return lines;
            lines.add(line);
        }
        throw new AssertionError("the program's class was never loaded: " + run);
    }

    /** The classes that class-loading lines name, of the lines with {@code source} in them ("... NAME source: ..."). */
    private static Set<String> loadedClasses(List<String> log, String source) {
        Set<String> names = new TreeSet<>();
        for (String line : log) {
            int at = line.indexOf(source);
            if (at > 0) names.add(line.substring(line.lastIndexOf(' ', at - 1) + 1, at));
        }
        return names;
    }

    /**
     * The agent's start leaves {@code java.lang.VirtualThread} uninitialized: its initializer makes the virtual
     * threads' scheduler (a ForkJoinPool, its thread container, four lambdas), about 9 ms of a JDK 25 start-up that a
     * service without virtual threads never needs. The hang detector's reading of virtual threads' states did it in
     * premain (reading the class's named states initializes it) until those were read at the first virtual thread met.
     */
    @Test
    void premainLeavesTheVirtualThreadSchedulerUnmade() {
        assumeTrue(ChildJvm.childFeatureVersion() >= 21, "JDK " + ChildJvm.childFeatureVersion() + " has no virtual threads");
        for (boolean agent : new boolean[] {false, true}) {
            ChildJvm child = ChildJvm.run(PrintsAndExits.class);
            String beforeMain = String.join("\n", logBeforeMain(agent ? child : child.withoutAgent(), "class+init=info,class+load=info"));
            assertTrue(beforeMain.contains("Initializing 'java/lang/"), "class initialization is logged: " + beforeMain.length());
            assertFalse(beforeMain.contains("Initializing 'java/lang/VirtualThread'"),
                    (agent ? "with" : "without") + " the agent, VirtualThread was initialized before main");
        }
    }

    /**
     * A lock that never leaves its thread is the JIT's to remove, with the agent as without it: once lockwatch's
     * shared code has taken all its paths elsewhere (LocksTheJitEliminates), a round of a million calls of a
     * method that makes and locks an object of its own allocates nothing. Before the leaf sites' check became
     * a call profiled per site (LeafEntry) and the release stopped handing the lock to code too large for C2
     * to analyse, every such object escaped: 16 bytes per call, and its lock taken (53 against 0.3 ns a call).
     * -Xbatch: each method is compiled before the program goes on, so the rounds run compiled code.
     */
    @Test
    void aLockThatNeverLeavesItsThreadIsStillEliminated() {
        for (boolean agent : new boolean[] {false, true}) {
            ChildJvm child = ChildJvm.run(LocksTheJitEliminates.class).jvmArgs("-Xbatch");
            ChildResult run = (agent ? child : child.withoutAgent()).exec().assertCleanExit();
            String[] lines = run.stdout.split("\n");
            assertEquals("counter " + ((5L + lines.length - 1) * 1_000_000 + 100_000 * 3), lines[lines.length - 1], run.stdout);
            assertTrue(lines[lines.length - 2].endsWith(": 0.0 bytes per call"),
                    (agent ? "with" : "without") + " the agent, every round of calls allocated:\n" + run.stdout);
        }
    }

    /**
     * While any JFR recording runs (the metrics endpoint's too), lockwatch asks its contention event whether
     * anyone wants it at every {@code lock()}. It used to ask a new event each time, which C2 removes but C1
     * and the interpreter do not: 48 bytes per iteration of LocksWhileRecording under C1 alone. Now nothing.
     */
    @Test
    void uncontendedLockingAllocatesNothingWhileARecordingRuns() {
        ChildResult run = ChildJvm.run(LocksWhileRecording.class)
                .jvmArgs("-XX:TieredStopAtLevel=1", "-XX:StartFlightRecording")
                .exec();
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(List.of(run.stdout.split("\n")).contains("0.0 bytes per iteration"),
                "allocations on the uncontended path while recording:\n" + run.stdout);
        assertTrue(run.stdout.endsWith("counter 4000000\n"), run.stdout);
    }

    @Test
    void aBusyMultiThreadedProgramPrintsTheSame() {
        ChildResult without = ChildJvm.run(SameOrderUnderLoad.class).withoutAgent().exec();
        ChildResult with = ChildJvm.run(SameOrderUnderLoad.class).exec().assertCleanExit();
        assertEquals(without.stdout, with.stdout);
        assertEquals("counter=400000\n", with.stdout);
    }

    /**
     * lockwatch adds a local variable (the thread's state) to every method it rewrites and declares it in
     * each stack map frame. With the verifier switched on for the JDK's own classes too (the JVM trusts
     * them by default), every rewritten class, the program's and the JDK's, must pass, the program must
     * print the same, and its one inversion, taken through those methods, must be found.
     */
    @Test
    void rewrittenMethodsPassTheVerifierAndBehaveTheSame() {
        ChildResult without = ChildJvm.run(FrameShapes.class).withoutAgent().exec();
        ChildResult with = ChildJvm.run(FrameShapes.class)
                .jvmArgs("-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal")
                .exec().assertCleanExit();
        assertEquals(without.stdout, with.stdout);
        assertTrue(with.stdout.startsWith("checksum="), with.stdout);
        Report.assertFinding(with.report().singlePotentialDeadlock(), FrameShapes.class,
                "java.lang.Object", "java.util.concurrent.locks.ReentrantLock");
    }

    /**
     * lockwatch's calls must leave every method compilable by both JIT compilers. Two placements made them
     * give up on whole methods, which then run interpreted: a call inside the range of javac's handler that
     * covers a synchronized block's own monitorexit (C1: "exception handler covers itself";
     * ConcurrentHashMap.putVal among 72 methods in the H2 benchmark), and a call between a monitorexit and
     * the end of the range whose catch-all handler releases that monitor (C1: "invalid parsing", C2:
     * "cannot parse method"; a nested synchronized loop ran 5x slower). Low compile thresholds, with
     * compilation in the foreground, make the JIT compile the program's and the JDK's instrumented methods
     * in this short run.
     */
    @Test
    void instrumentedMethodsStayCompilable() {
        ChildResult with = ChildJvm.run(FrameShapes.class)
                .jvmArgs("-Xbatch", "-XX:CompileThresholdScaling=0.05", "-XX:+PrintCompilation")
                .exec().assertCleanExit();
        assertTrue(with.stdout.contains("io.lockwatch.it.programs.FrameShapes::wide"),
                "the JIT should have compiled the program's locking method");
        // (Other skips, "redefined method" while premain retransforms, are the JVM's normal business.)
        List<String> bailouts = with.stdout.lines()
                .filter(l -> l.contains("covers itself") || l.contains("invalid parsing") || l.contains("cannot parse method"))
                .toList();
        assertEquals(List.of(), bailouts, "methods the JIT refused to compile because of lockwatch's code");
    }

    /**
     * The order check's slow path (a lock or an edge the thread has not seen) must stay out of the code the
     * JIT compiles for lock sites. Where new locks are common it is hot, and C2 inlined it, with the graph
     * update and the stack walk under it, into {@code monitorEnter} and into methods with lock sites: in
     * the H2 benchmark one 1.3 s compilation that kept H2's own methods from reaching C2 during the run.
     * The program makes new locks and new edges all the time, so those paths are as hot as they get; every
     * compiler's verdict on a call to one of them must be the annotation's.
     */
    @Test
    void theOrderChecksSlowPathIsNeverInlinedIntoLockSites() {
        ChildResult with = ChildJvm.run(NewEdgeChurn.class).args("200000")
                .jvmArgs("-Xbatch", "-XX:+UnlockDiagnosticVMOptions", "-XX:+PrintInlining")
                .exec().assertCleanExit();
        assertCompiledOutOfLine(with, OUT_OF_LINE);
    }

    /**
     * The slow paths kept out of line ({@code @DontInline}): each is compiled once on its own rather than into
     * every caller. Inlined, they made the largest compilations of an H2 run (up to 1.3 s, 0.5 s and 0.46 s of
     * C2 time), which held up the compilation of the application's own methods. {@code walk} calls itself.
     */
    private static final List<String> OUT_OF_LINE = List.of(
            "ThreadState::checkOrderFully", "ThreadState::recordNew", "LockOrderGraph::record", "CycleFinder::walk");

    /**
     * The transformer's per-instruction loop compiles without the code that writes the tracker's calls: with
     * it inlined, {@code ClassFileRewriter$MethodRewrite.instruction} was C2's largest compilation in an H2
     * run (52 KB of machine code, 0.3 s of the one C2 thread). The JDK classes retransformed at start-up are
     * enough for C2 to compile the loop when every compilation waits for its result ({@code -Xbatch}).
     */
    @Test
    void theTransformersRewritingIsNeverInlinedIntoItsInstructionLoop() {
        ChildResult with = ChildJvm.run(PrintsAndExits.class)
                .jvmArgs("-Xbatch", "-XX:+UnlockDiagnosticVMOptions", "-XX:+PrintInlining")
                .exec().assertCleanExit();
        assertCompiledOutOfLine(with, List.of("MethodRewrite::lockInstruction", "MethodRewrite::rewriteCall",
                "MethodRewrite::releaseBefore", "MethodRewrite::joinedBeforeReturn"));
    }

    /** Each method was called from code that C2 compiled, and no compiler inlined it there ({@code -XX:+PrintInlining}). */
    private static void assertCompiledOutOfLine(ChildResult with, List<String> methods) {
        for (String method : methods) {
            Pattern call = callTo(method);
            List<String> verdicts = with.stdout.lines().map(l -> verdictOn(l, call)).filter(v -> v != null).toList();
            assertTrue(verdicts.stream().anyMatch(v -> v.contains("don't inline by annotation")),
                    "the JIT should have compiled a caller of " + method + "; its verdicts: " + verdicts);
            List<String> inlined = verdicts.stream().filter(v -> v.startsWith("inline")).toList();
            assertEquals(List.of(), inlined, "calls to " + method + " that a JIT compiler inlined");
        }
    }

    /**
     * The compiler's verdict on the call that {@code call} ({@link #callTo}) finds in one line of
     * {@code -XX:+PrintInlining}, or null if the line has none. A verdict follows the callee right after the call's bytecode index ("@ 81
     * pkg.Class::method (304 bytes)   verdict"). JDK 25 may name the method again later in a line about another
     * call, and two compiler threads printing at once can run two calls into one line, the first without its
     * verdict: only the text between the callee and the next call's "@" is its verdict.
     */
    static String verdictOn(String line, Pattern call) {
        Matcher m = call.matcher(line);
        if (!m.find()) return null;
        String verdict = m.group(1).trim();
        return verdict.isEmpty() ? null : verdict;
    }

    /** A call to {@code method} as the first call of a line, and the text after it up to the next call. */
    static Pattern callTo(String method) {
        return Pattern.compile("^[^@]*@ \\d+\\s+\\S*" + Pattern.quote(method) + " \\(\\d+ bytes\\)([^@]*)");
    }

    /**
     * Two compilations' lines run together, as CI printed them once: the call to the method has no verdict
     * of its own, and the other call's "inline (hot)" must not be read as one (the assertion above failed on
     * this line, with nothing inlined).
     */
    @Test
    void aVerdictIsReadFromItsOwnCallOnly() {
        Pattern call = callTo("MethodRewrite::joinedBeforeReturn");
        String runTogether = "                              @ 91   io.lockwatch.agent.instrument.ClassFileRewriter$MethodRewrite"
                + "::joinedBeforeReturn (51 bytes)                              @ 6   io.lockwatch.agent.instrument"
                + ".ClassFileSkim::isOneOf (86 bytes)   inline (hot)";
        assertEquals(null, verdictOn(runTogether, call));
        assertEquals("don't inline by annotation", verdictOn("  @ 91   io.lockwatch.agent.instrument.ClassFileRewriter"
                + "$MethodRewrite::joinedBeforeReturn (51 bytes)   don't inline by annotation", call));
        assertEquals("inline (hot)", verdictOn("  @ 91   x.MethodRewrite::joinedBeforeReturn (51 bytes)   inline (hot)", call));
        assertEquals(null, verdictOn("  @ 12   x.Other::call (9 bytes)   inline (hot)", call));
    }

    /**
     * A runtime without the jdk.jfr module (a jlink image, or {@code --limit-modules}) cannot load lockwatch's
     * JFR event classes. That used to reach the program as a NoClassDefFoundError from its first
     * {@code ReentrantLock.lock()}. The program must run as it does without the agent, every primitive
     * included, and findings must still reach the report.
     */
    @Test
    void aRuntimeWithoutTheJfrModuleRunsTheProgramUnchanged() {
        String[] noJfr = {"--limit-modules", "java.base,java.instrument,java.management"};
        ChildResult without = ChildJvm.run(ContendsEveryPrimitive.class).withoutAgent().jvmArgs(noJfr).args("1").exec();
        ChildResult with = ChildJvm.run(ContendsEveryPrimitive.class).jvmArgs(noJfr).args("1").exec().assertCleanExit();
        assertEquals("contending\ndone\n", without.stdout);
        assertEquals(without.stdout, with.stdout);
        with.assertOnlyAgentLinesOnStderr();
        assertEquals(0, with.report().stat("internalErrors"));

        ChildResult inversion = ChildJvm.run(MixedInversion.class).jvmArgs(noJfr).exec().assertCleanExit();
        Report.assertFinding(inversion.report().singlePotentialDeadlock(), MixedInversion.class,
                "java.lang.Object", "java.util.concurrent.locks.ReentrantLock");
        assertEquals(0, inversion.report().stat("internalErrors"));
    }

    /**
     * The metrics endpoint needs modules that a jlink image may leave out (java.logging, java.management,
     * jdk.jfr). It said so one NoClassDefFoundError at a time, a second after start-up (so never, for a program
     * that ended sooner), each naming a class rather than the module to add. Now one line at start-up names them
     * all and the fix, and the program runs as it does without the agent.
     */
    @Test
    void aRuntimeWithoutTheModulesTheEndpointNeedsNamesThemAllInOneLine() {
        String[] bare = {"--limit-modules", "java.base,java.instrument"};
        ChildResult without = ChildJvm.run(PrintsAndExits.class).withoutAgent().jvmArgs(bare).args("3").exec();
        ChildResult with = ChildJvm.run(PrintsAndExits.class).jvmArgs(bare).agentOptions("port=0").args("3").exec();
        assertEquals(3, with.exitCode, with.toString());
        assertEquals(without.stdout, with.stdout);
        with.assertOnlyAgentLinesOnStderr();
        List<String> errors = List.of(with.stderr.split("\n")).stream()
                .filter(line -> line.startsWith("[lockwatch] ERROR")).collect(Collectors.toList());
        assertEquals(List.of("[lockwatch] ERROR cannot serve metrics: this Java runtime has no module java.logging,"
                + " java.management, jdk.jfr (a jlink image, or --limit-modules, without it), which the endpoint needs."
                + " Fix: add java.logging,java.management,jdk.jfr to the image (jlink --add-modules"
                + " java.logging,java.management,jdk.jfr) or to --limit-modules; the application runs without the metrics"
                + " endpoint"), errors, with.stderr);
    }
}
