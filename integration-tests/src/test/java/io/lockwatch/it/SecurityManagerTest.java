package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Scrape;
import io.lockwatch.it.programs.MonitorInversion;
import io.lockwatch.it.programs.SecurityManagerInstalledLater;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * lockwatch under a security manager, which JDK 17 to 23 still run (JDK 24 removed it: these tests do not apply
 * there). One the application installs itself, as Elasticsearch 7 does, must deny lockwatch nothing; one on the
 * command line must grant the agent jar its permissions, and says how if it does not.
 */
class SecurityManagerTest {

    @BeforeEach
    void onlyWhereTheJdkHasASecurityManager() {
        assumeTrue(ChildJvm.childFeatureVersion() < 24, "JDK " + ChildJvm.childFeatureVersion() + " has no security manager");
    }

    /**
     * The application's policy knows nothing of lockwatch's jar. lockwatch's threads kept the access context of
     * the premain class, loaded from that jar: the detector could not write the report, so the finding was
     * neither written nor printed, and the last hang check could not read the JVM's threads.
     */
    @Test
    void aSecurityManagerTheApplicationInstallsDeniesLockwatchNothing() throws Exception {
        ChildJvm.Running child = ChildJvm.run(SecurityManagerInstalledLater.class).agentOptions("port=0")
                .jvmArgs("-Djava.security.manager=allow", "-Dawait.go=true").start();
        ChildResult run = null;
        try {
            child.awaitStderr("[lockwatch] POTENTIAL DEADLOCK #1", 30);
            assertEquals(1, Scrape.of(Scrape.portOf(child)).value("lockwatch_potential_deadlocks_total"));
            Files.createFile(child.dir().resolve("go"));
            run = child.awaitExit(30);
        } finally {
            if (run == null) child.kill(30);
        }
        run.assertCleanExit();
        assertEquals("done\n", run.stdout);
        run.report().singlePotentialDeadlock();
    }

    /** Without a grant the agent cannot even read its own jar: one line names the problem and the policy entry. */
    @Test
    void aSecurityManagerOnTheCommandLineWithoutAGrantGetsOneLineWithTheFix() {
        ChildResult run = ChildJvm.run(MonitorInversion.class).jvmArgs("-Djava.security.manager").exec();
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("done\n", run.stdout);
        run.assertOnlyAgentLinesOnStderr();
        String fix = "[lockwatch] ERROR the agent could not start: the security manager denies it (java.security.AccessControlException: "
                + "access denied (\"java.lang.RuntimePermission\" \"getProtectionDomain\")). Fix: grant the agent jar every permission"
                + " in the policy file (-Djava.security.policy=...): grant codeBase \"file:" + ChildJvm.realAgentJar().toAbsolutePath().normalize()
                + "\" { permission java.security.AllPermission; }; the application runs without lockwatch.\n";
        assertTrue(run.stderr.contains(fix), run.stderr);
        assertEquals(1, run.stderr.split("\\[lockwatch\\]", -1).length - 1, run.stderr);
    }

    /**
     * Turned off in the agent argument, lockwatch needs no grant: its one line, and the program as without it. (The
     * check of -Dlockwatch.enabled and LOCKWATCH_ENABLED, which such a policy denies, must not make an error of it.)
     */
    @Test
    void turnedOffItNeedsNoGrant() {
        ChildResult run = ChildJvm.run(MonitorInversion.class).jvmArgs("-Djava.security.manager").agentOptions("enabled=false")
                .exec();
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("done\n", run.stdout);
        run.assertOnlyAgentLinesOnStderr();
        assertTrue(run.stderr.contains("[lockwatch] off (enabled=false in -javaagent): the application runs without lockwatch\n"),
                run.stderr);
        assertEquals(1, run.stderr.split("\\[lockwatch\\]", -1).length - 1, run.stderr);
    }

    /** With the entry that line gives, and nothing granted to the application, lockwatch works in full. */
    @Test
    void withTheGrantItWorks() throws IOException {
        Path policy = ChildJvm.workDir().resolve("lockwatch.policy");
        Files.writeString(policy, "grant codeBase \"file:" + ChildJvm.realAgentJar().toAbsolutePath().normalize()
                + "\" { permission java.security.AllPermission; };\n");
        ChildResult run = ChildJvm.run(MonitorInversion.class)
                .jvmArgs("-Djava.security.manager", "-Djava.security.policy=" + policy).exec();
        run.assertCleanExit();
        assertEquals("done\n", run.stdout);
        run.report().singlePotentialDeadlock();
    }
}
