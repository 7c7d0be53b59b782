package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.tools.attach.VirtualMachine;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.programs.InversionAfterAttach;
import io.lockwatch.it.programs.MonitorDeadlock;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * lockwatch loaded into a JVM that is already running (the Attach API, as {@code jcmd} and IDEs load agents):
 * what someone paged for a frozen service can do without a restart.
 */
class DynamicAttachTest {

    /** A JVM whose two threads are already deadlocked: the deadlock is reported once the agent is in. */
    @Test
    void attachedToAFrozenJvmItReportsTheDeadlock() throws Exception {
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

    private static void attach(ChildJvm.Running child) throws Exception {
        Path report = child.dir().resolve("report.json");
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(child.pid()));
        try {
            vm.loadAgent(ChildJvm.realAgentJar().toString(), "report=" + report);
        } finally {
            vm.detach();
        }
    }
}
