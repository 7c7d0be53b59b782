package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.harness.Scrape;
import io.lockwatch.it.harness.TwoAtATime;
import io.lockwatch.it.programs.VirtualThreadChurn;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Virtual threads that start and end as fast as they can: whatever lockwatch asks the JVM about them must not
 * crash it. HotSpot 25, before the fix of JDK-8392031, can crash with SIGSEGV in
 * {@code ThreadMXBean.getThreadInfo} when it is asked about a carrier thread while a virtual thread mounts on
 * it; the hang detector asked about every thread at each check, and the {@code jvm_threads_states} gauges six
 * times a scrape.
 */
@TwoAtATime // its tests take the machine, one after another: its programs keep both cores busy by design
class VirtualThreadChurnTest {
    private static final Pattern ASKED = Pattern.compile("asked (\\d+) times");

    /**
     * The detector asks a few times a second, so a crash there is a matter of days: the program asks about
     * the same threads as the detector as fast as it can. While the detector still asked about the carriers,
     * this program crashed in 5 of 8 runs of 30 seconds (HotSpot 25.0.3, 2 cores).
     */
    @Test
    @ResourceLock(TwoAtATime.MACHINE)
    void theThreadsLockwatchAsksTheJvmAboutNeverCrashItWhileVirtualThreadsComeAndGo() {
        assumeVirtualThreads();
        ChildResult result = ChildJvm.run(VirtualThreadChurn.class).args("30000", "ask").timeoutSeconds(120)
                .exec().assertCleanExit();
        Matcher asked = ASKED.matcher(result.stdout);
        assertTrue(asked.find() && result.stdout.contains("done true"), result.stdout);
        assertTrue(Long.parseLong(asked.group(1)) >= 100_000, "asked too rarely to matter: " + result.stdout);
    }

    /**
     * What a user runs: scrapes and hang checks (every 100 ms) while virtual threads churn; all stays quiet. The
     * program churns until the scrapes are done (on a slow evening of the fiftieth session, 20 of them outlasted its
     * 8 s, and the last found it gone).
     */
    @Test
    @ResourceLock(TwoAtATime.MACHINE)
    void scrapesAndHangChecksWhileVirtualThreadsComeAndGo() throws IOException {
        assumeVirtualThreads();
        ChildJvm.Running child = ChildJvm.run(VirtualThreadChurn.class)
                .agentOptions("port=0,stall-threshold=400ms").args("8000", "go").start();
        int port = Scrape.portOf(child);
        child.awaitStdoutLine("churning", 30);
        for (int i = 0; i < 20; i++) {
            List<Scrape.Sample> states = Scrape.of(port).named("jvm_threads_states_threads");
            assertEquals(6, states.size(), states.toString());
            double threads = 0;
            for (Scrape.Sample s : states) threads += s.value();
            assertTrue(threads >= 3, "main, two starters and more: " + states); // NaN fails too
        }
        Files.createFile(child.dir().resolve("go"));
        ChildResult result = child.awaitExit(60).assertCleanExit();
        assertTrue(result.stdout.endsWith("done true\n"), result.stdout);
        Report report = result.report().assertNoHangFindings().assertNoPotentialDeadlocks();
        assertEquals(0, report.stat("threadsStuckNow"));
        assertTrue(report.stat("hangChecks") >= 20, "hang checks: " + report.stat("hangChecks"));
    }

    private static void assumeVirtualThreads() {
        assumeTrue(ChildJvm.childFeatureVersion() >= 21, "JDK " + ChildJvm.childFeatureVersion() + " has no virtual threads");
    }
}
