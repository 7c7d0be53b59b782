package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.tools.attach.VirtualMachine;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.programs.InversionAfterAttach;
import io.lockwatch.it.programs.MonitorDeadlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * lockwatch loaded into a JVM that is already running (the Attach API, as {@code jcmd} and IDEs load agents, or
 * the jar's own command, {@code java -jar lockwatch-agent.jar attach PID}): what someone paged for a frozen service
 * can do without a restart.
 */
class DynamicAttachTest {

    /** A JVM whose two threads are already deadlocked: the deadlock is reported once the agent is in. */
    @Test
    void attachedToAFrozenJvmItReportsTheDeadlock() {
        ChildJvm.Running child = ChildJvm.run(MonitorDeadlock.class).withoutAgent().start();
        try {
            child.awaitStdoutLine("started", 30);
            attach(child);
            child.awaitStderr("[lockwatch] DEADLOCK #1", 30);
            JsonNode report = child.awaitReport("the deadlock", json -> json.get("deadlocks").size() == 1, 30);
            assertTrue(report.get("deadlocks").get(0).toString().contains("alpha"), report.toPrettyString());
        } finally {
            child.kill(30);
        }
    }

    /**
     * Classes loaded before the agent are retransformed: an inversion in methods called after the attach is
     * found, and a lock held across the attach (taken before it, released after) disturbs nothing.
     */
    @Test
    void attachedToARunningJvmItFindsInversionsInCallsMadeAfterIt() throws Exception {
        ChildJvm.Running child = ChildJvm.run(InversionAfterAttach.class).withoutAgent().start();
        ChildResult run = null;
        try {
            child.awaitStdoutLine("ready", 30);
            attach(child);
            child.awaitStderr(" watching this JVM; report: ", 30);
            Files.createFile(child.dir().resolve("go"));
            run = child.awaitExit(60);
        } finally {
            if (run == null) child.kill(30);
        }
        run.assertCleanExit();
        assertEquals("ready\ndone\n", run.stdout);
        JsonNode finding = run.report().singlePotentialDeadlock();
        assertTrue(finding.toString().contains("InversionAfterAttach.aThenB"), finding.toPrettyString());
    }

    private static void attach(ChildJvm.Running child) {
        attach(child, "report=" + child.dir().resolve("report.json"));
    }

    /** Loads the agent through the Attach API, as jcmd and IDEs do. */
    private static void attach(ChildJvm.Running child, String options) {
        try {
            VirtualMachine vm = VirtualMachine.attach(String.valueOf(child.pid()));
            try {
                vm.loadAgent(ChildJvm.realAgentJar().toString(), options);
            } finally {
                vm.detach();
            }
        } catch (Exception e) {
            throw new AssertionError("cannot load the agent into " + child.pid(), e);
        }
    }

    /**
     * {@code java -jar lockwatch-agent.jar attach PID OPTIONS}: loads lockwatch into the frozen JVM and says, where the
     * user reads it, that it runs there and where its report is (the JVM's own stderr is often a service's log); the
     * deadlock is then in that report. A second attach leaves the running lockwatch as it is, and says so.
     */
    @Test
    void theJarsAttachCommandLoadsLockwatchAndSaysWhereTheReportIs() {
        ChildJvm.Running child = ChildJvm.run(MonitorDeadlock.class).withoutAgent().start();
        try {
            child.awaitStdoutLine("started", 30);
            Path report = child.dir().resolve("report.json").toAbsolutePath();
            ChildResult attach = command("attach", String.valueOf(child.pid()), "report=" + report);
            assertEquals(0, attach.exitCode, attach.toString());
            assertEquals("lockwatch is watching JVM " + child.pid() + "; report: " + report + "\n", attach.stdout);
            assertEquals("", attach.stderr);
            JsonNode found = child.awaitReport("the deadlock", json -> json.get("deadlocks").size() == 1, 30);
            assertTrue(found.get("deadlocks").get(0).toString().contains("alpha"), found.toPrettyString());

            // The deadlock is in the report: status counts it.
            assertStatus(child, report, "found so far: 0 potential deadlocks, 1 deadlock, \\d+ hazards?");

            // Attached again: the command says so without loading the agent again; the Attach API (or jcmd) loads it,
            // and lockwatch says on the JVM's stderr that it keeps running as it is.
            ChildResult again = command("attach", String.valueOf(child.pid()), "stack-depth=32");
            assertEquals(0, again.exitCode, again.toString());
            assertEquals("lockwatch was already watching JVM " + child.pid() + " (it keeps the options it started with);"
                    + " report: " + report + "\n", again.stdout);
            attach(child, "stack-depth=32");
            child.awaitStderr("[lockwatch] WARNING lockwatch already watches this JVM (report: " + report
                    + "); this attach's options (stack-depth=32) are ignored", 30);
            ChildResult ended = child.kill(30);
            assertEquals(1, ended.stderr.split("WARNING lockwatch already watches", -1).length - 1, ended.stderr);
        } finally {
            child.kill(30);
        }
    }

    /**
     * Bad input is refused before anything is attached, in one line that names the fix, with a status a script can
     * test (2: bad input, 1: the attach failed); the JVM given is left alone.
     */
    @Test
    void theAttachCommandRefusesBadInputAndSaysWhy() {
        ChildJvm.Running child = ChildJvm.run(MonitorDeadlock.class).withoutAgent().start();
        try {
            child.awaitStdoutLine("started", 30);
            String pid = String.valueOf(child.pid());
            ChildResult badOption = command("attach", pid, "stack-depth=2");
            assertEquals(2, badOption.exitCode, badOption.toString());
            assertEquals("lockwatch: bad value for option stack-depth: '2'; expected a whole number of frames from 8 to 1024,"
                    + " e.g. stack-depth=64\nlockwatch: nothing was attached; fix the options and run the command again\n",
                    badOption.stderr);
            ChildResult noPid = command("attach", "not-a-pid");
            assertEquals(2, noPid.exitCode, noPid.toString());
            assertTrue(noPid.stderr.startsWith("lockwatch: attach takes a process id"), noPid.stderr);
            ChildResult unknown = command("atach", pid);
            assertEquals(2, unknown.exitCode, unknown.toString());
            assertTrue(unknown.stderr.startsWith("lockwatch: unknown command 'atach'; the commands are attach, status, help and version\n"),
                    unknown.stderr);
            // A runtime without the Attach API's module: the same attach through jcmd, spelled out.
            ChildResult noAttachModule = ChildJvm.run(MonitorDeadlock.class).withoutAgent().jvmArgs("--limit-modules", "java.base")
                    .executableJar(ChildJvm.realAgentJar()).args("attach", pid).exec();
            assertEquals(1, noAttachModule.exitCode, noAttachModule.toString());
            assertTrue(noAttachModule.stderr.contains("has no module jdk.attach") && noAttachModule.stderr.contains(
                    "jcmd " + pid + " JVMTI.agent_load " + ChildJvm.realAgentJar().toAbsolutePath().normalize() + "\n"),
                    noAttachModule.stderr);
        } finally {
            ChildResult left = child.kill(30);
            assertFalse(left.stderr.contains("[lockwatch]"), "nothing was attached: " + left.stderr);
        }
    }

    /** No such JVM, or lockwatch turned off in it: status 1, and what to do. */
    @Test
    void theAttachCommandSaysWhenLockwatchDoesNotRun() {
        ChildResult noJvm = command("attach", String.valueOf(Integer.MAX_VALUE));
        assertEquals(1, noJvm.exitCode, noJvm.toString());
        assertTrue(noJvm.stderr.startsWith("lockwatch: cannot attach to process " + Integer.MAX_VALUE + " (")
                && noJvm.stderr.contains("jcmd -l lists the JVMs you can attach to"), noJvm.stderr);

        ChildJvm.Running child = ChildJvm.run(MonitorDeadlock.class).withoutAgent().start();
        try {
            child.awaitStdoutLine("started", 30);
            ChildResult off = command("attach", String.valueOf(child.pid()), "enabled=false");
            assertEquals(1, off.exitCode, off.toString());
            assertEquals("lockwatch: loaded into JVM " + child.pid() + ", but it does not run there (turned off there, or it"
                    + " could not start): that JVM's stderr has a [lockwatch] line that says why\n", off.stderr);
            child.awaitStderr("[lockwatch] off (enabled=false in the attach's options): the application runs without lockwatch", 30);
        } finally {
            child.kill(30);
        }
    }

    /**
     * A report path the JVM cannot write (a service's working folder is often /): lockwatch is not started, since a
     * second attach could not change the path of one that runs, and both sides say so with the fix; the second
     * attach, with a path that works, starts it. One in between turned off by its options is said to be that, not the
     * refusal again (until the forty-sixth session the command read the refusal's state, which stays).
     */
    @Test
    void anAttachWhoseReportCannotBeWrittenStartsNothingAndTheNextOneCan() {
        ChildJvm.Running child = ChildJvm.run(MonitorDeadlock.class).withoutAgent().start();
        try {
            child.awaitStdoutLine("started", 30);
            String pid = String.valueOf(child.pid());
            ChildResult refused = command("attach", pid, "report=/proc/lockwatch/cannot/report.json");
            assertEquals(1, refused.exitCode, refused.toString());
            assertEquals("lockwatch: JVM " + pid + " cannot write a report at /proc/lockwatch/cannot/report.json (no such"
                    + " folder, or not writable for its user), so lockwatch was not started there: attach again with"
                    + " report=PATH in a folder it can write, e.g. report=/tmp/lockwatch-%p.json\n", refused.stderr);
            child.awaitStderr("[lockwatch] ERROR cannot write a report at /proc/lockwatch/cannot/report.json", 30);

            // An attach that starts nothing for another reason is not taken for the refusal before it.
            ChildResult off = command("attach", pid, "enabled=false");
            assertEquals(1, off.exitCode, off.toString());
            assertTrue(off.stderr.startsWith("lockwatch: loaded into JVM " + pid + ", but it does not run there"), off.stderr);

            Path report = child.dir().resolve("report.json").toAbsolutePath();
            ChildResult started = command("attach", pid, "report=" + report);
            assertEquals(0, started.exitCode, started.toString());
            assertEquals("lockwatch is watching JVM " + pid + "; report: " + report + "\n", started.stdout);
            child.awaitReport("the deadlock", json -> json.get("deadlocks").size() == 1, 30);
        } finally {
            child.kill(30);
        }
    }

    /**
     * {@code status PID}: whether lockwatch watches that JVM, started with {@code -javaagent} or attached, and where its
     * report is; exit 3 when it does not run there.
     */
    @Test
    void theStatusCommandSaysWhetherLockwatchWatchesAJvm() {
        ChildJvm.Running without = ChildJvm.run(MonitorDeadlock.class).withoutAgent().start();
        ChildJvm.Running with = ChildJvm.run(MonitorDeadlock.class).start();
        try {
            without.awaitStdoutLine("started", 30);
            with.awaitReport("its first write, which tells the command", json -> true, 30);
            ChildResult none = command("status", String.valueOf(without.pid()));
            assertEquals(3, none.exitCode, none.toString());
            assertEquals("lockwatch does not run in JVM " + without.pid() + " (attach it with: attach " + without.pid()
                    + " [OPTIONS])\n", none.stdout);
            assertStatus(with, with.dir().resolve("report.json").toAbsolutePath(), ANY_COUNTS);
        } finally {
            without.kill(30);
            with.kill(30);
        }
    }

    /** A report that moved next to another running JVM's (one report= for two JVMs): status names where it went. */
    @Test
    void theStatusCommandFollowsAReportWrittenNextToAnotherJvms() {
        ChildJvm.Running first = ChildJvm.run(MonitorDeadlock.class).start();
        ChildJvm.Running second = null;
        try {
            first.awaitReport("the first report on disk", json -> true, 30);
            Path shared = first.dir().resolve("report.json").toAbsolutePath();
            second = ChildJvm.run(MonitorDeadlock.class).withoutReportOption().agentOptions("report=" + shared).start();
            Path moved = first.dir().resolve("report-" + second.pid() + ".json").toAbsolutePath();
            second.awaitStderr("this JVM's report is " + moved + ".", 30);
            awaitFile(moved); // written once the path is settled, and the command told
            assertStatus(second, moved, ANY_COUNTS);
        } finally {
            first.kill(30);
            if (second != null) second.kill(30);
        }
    }

    /** {@code java -jar lockwatch-agent.jar} alone says what it is and how to use it, options included. */
    @Test
    void theJarRunAloneSaysHowToUseIt() {
        Path jar = ChildJvm.realAgentJar().toAbsolutePath().normalize();
        ChildResult help = command();
        assertEquals(0, help.exitCode, help.toString());
        assertTrue(help.stdout.contains("java -javaagent:" + jar + "[=OPTIONS]")
                && help.stdout.contains("java -jar " + jar + " attach PID [OPTIONS]")
                && help.stdout.contains("\n  stall-threshold       a duration with a unit"), help.stdout);
        ChildResult version = command("--version");
        assertTrue(version.stdout.matches("lockwatch \\d+\\.\\d+\\.\\d+\\S*\n"), version.toString());
    }

    private static void awaitFile(Path file) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) throw new AssertionError("never written: " + file);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** What status says of a JVM whose lockwatch may still be finding its deadlock. */
    private static final String ANY_COUNTS = "found so far: \\d+ potential deadlocks?, \\d+ deadlocks?, \\d+ hazards?";

    /** {@code status PID}: lockwatch watches the child, its report is {@code report}, and the counts match. */
    private static void assertStatus(ChildJvm.Running child, Path report, String countsPattern) {
        ChildResult status = command("status", String.valueOf(child.pid()));
        assertEquals(0, status.exitCode, status.toString());
        String[] lines = status.stdout.split("\n", -1);
        assertEquals(3, lines.length, status.stdout);
        assertEquals("lockwatch is watching JVM " + child.pid() + "; report: " + report, lines[0]);
        assertTrue(lines[1].matches(countsPattern), status.stdout);
    }

    /** {@code java -jar lockwatch-agent.jar ARGS}, on the JDK the tests run the children on. */
    private static ChildResult command(String... args) {
        return ChildJvm.run(DynamicAttachTest.class).withoutAgent().executableJar(ChildJvm.realAgentJar()).args(args).exec();
    }
}
