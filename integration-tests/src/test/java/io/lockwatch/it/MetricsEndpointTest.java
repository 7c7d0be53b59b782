package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.lockwatch.it.harness.AgentJars;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.Http;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Scrape;
import io.lockwatch.it.programs.ContendsEveryPrimitive;
import io.lockwatch.it.programs.EndpointAtExit;
import io.lockwatch.it.programs.ManyLockSites;
import io.lockwatch.it.programs.NestedLocksLoop;
import io.lockwatch.it.programs.PrintsAndExits;
import io.lockwatch.it.programs.ProbesClassVisibility;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus endpoint as a scraper sees it: every meter of the metrics contract, every primitive's
 * waits counted and timed, the series budget kept under 10,000 lock sites, and a clear error for a port
 * that cannot be used.
 */
class MetricsEndpointTest {
    static final String[] KINDS = {"monitor", "reentrant_lock", "read_lock", "write_lock", "condition", "object_wait",
        "semaphore", "latch", "barrier", "phaser", "join"};

    /** Every family of the metrics contract (METRICS.md), in Prometheus form. */
    static final String[] CONTRACT = {
        "lockwatch_contended_waits_total", "lockwatch_threads_started_total", "lockwatch_threads_alive",
        "lockwatch_threads_daemon", "lockwatch_threads_peak", "lockwatch_threads_stuck",
        "jvm_threads_live_threads", "jvm_threads_daemon_threads", "jvm_threads_peak_threads",
        "jvm_threads_states_threads", "jvm_threads_started_threads_total", "jvm_threads_deadlocked_threads",
        "jvm_threads_deadlocked_monitor_threads", "lockwatch_potential_deadlocks_total", "lockwatch_deadlocks_total",
        "lockwatch_deadlocked_threads", "lockwatch_hazards_total", "lockwatch_classes_instrumented_total",
        "lockwatch_instrumentation_errors_total", "lockwatch_locks_tracked", "lockwatch_edges", "lockwatch_locks_cap",
        "lockwatch_dropped_total", "lockwatch_internal_errors_total", "lockwatch_detection_seconds_total",
        "lockwatch_detector_last_run_timestamp_seconds", "lockwatch_tracking_stopped", "lockwatch_thread_dumps_total"
    };

    /** A StampedLock's waits: a read/write lock's kinds, its own class (not timed at all until the thirty-eighth session). */
    private static double stampedLockWaits(Scrape scrape, String kind) {
        return scrape.sum("lockwatch_wait_seconds_count",
                s -> kind.equals(s.label("kind")) && "java.util.concurrent.locks.StampedLock".equals(s.label("lock_class")));
    }

    private static double waits(Scrape scrape, String kind) {
        return scrape.value("lockwatch_contended_waits_total", "kind", kind);
    }

    /** The ReentrantLock waits in the histograms, over all their sites and the fold-over one. */
    private static double timedWaits(Scrape scrape) {
        return scrape.sum("lockwatch_wait_seconds_count", s -> "reentrant_lock".equals(s.label("kind")));
    }

    @Test
    void everyPrimitiveIsCountedAndTimedAndTheScrapePassesPromtool() throws Exception {
        ChildJvm.Running child = ChildJvm.run(ContendsEveryPrimitive.class).agentOptions("port=0").args("60").start();
        try {
            int port = Scrape.portOf(child);
            child.awaitStdoutLine("contending", 30);

            Scrape first = awaitScrape(port, s -> {
                for (String kind : KINDS) {
                    if (waits(s, kind) < 1) return false;
                }
                return true;
            }, "every kind counted at least once");
            Scrape second = awaitScrape(port, s -> {
                for (String kind : KINDS) {
                    if (waits(s, kind) <= waits(first, kind)) return false;
                }
                return stampedLockWaits(s, "write_lock") >= 1 && stampedLockWaits(s, "read_lock") >= 1;
            }, "every kind's counter grew between two scrapes, and a StampedLock's waits were timed in both modes");

            for (String kind : KINDS) {
                double count = second.sum("lockwatch_wait_seconds_count", s -> kind.equals(s.label("kind")));
                double sum = second.sum("lockwatch_wait_seconds_sum", s -> kind.equals(s.label("kind")));
                assertTrue(count >= 1 && sum > 0, kind + " histogram has samples\n" + second.text);
                List<Scrape.Sample> buckets = second.named("lockwatch_wait_seconds_bucket", s -> kind.equals(s.label("kind")));
                Set<String> bounds = buckets.stream().map(s -> s.label("le")).collect(Collectors.toSet());
                assertEquals(Set.of("0.001", "0.005", "0.01", "0.05", "0.1", "0.5", "1.0", "5.0", "10.0", "30.0", "+Inf"), bounds,
                        kind + ": the contract's explicit buckets");
                // The waits hold for about 25 ms: the samples sit above the 10 ms bucket.
                double under1ms = second.sum("lockwatch_wait_seconds_bucket", s -> kind.equals(s.label("kind")) && "0.001".equals(s.label("le")));
                double all = second.sum("lockwatch_wait_seconds_bucket", s -> kind.equals(s.label("kind")) && "+Inf".equals(s.label("le")));
                assertEquals(0, under1ms, kind + ": nothing under the 10ms default threshold");
                assertEquals(count, all, kind + ": +Inf bucket is the count");
            }
            // Sites name the program's own code, not the JDK's internals.
            for (String kind : new String[] {"monitor", "reentrant_lock", "semaphore", "latch", "barrier", "phaser", "join", "object_wait"}) {
                assertTrue(second.named("lockwatch_wait_seconds_count", s -> kind.equals(s.label("kind"))
                        && s.label("site").startsWith(ContendsEveryPrimitive.class.getName() + ".")).size() >= 1,
                        kind + " site in the program\n" + second.text);
            }
            Set<String> families = new HashSet<>();
            for (Scrape.Sample s : second.samples) families.add(s.name());
            for (String name : CONTRACT) assertTrue(families.contains(name), "contract meter " + name + " served");
            assertTrue(second.samples.size() < 500, "under 500 series by default: " + second.samples.size());
            for (Scrape.Sample s : second.samples) {
                assertFalse(s.labels().containsKey("thread") || s.labels().containsKey("stack"), "no thread labels: " + s);
            }
            promtoolCheck(second.text, child.dir());
        } finally {
            ChildResult result = child.terminate(30);
            assertFalse(result.stderr.contains("[lockwatch] ERROR") || result.stderr.contains("[lockwatch] WARNING"), result.stderr);
            result.assertOnlyAgentLinesOnStderr();
        }
    }

    @Test
    void everyMeterStartsAtZeroAndTheJvmStillExitsOnItsOwn() throws Exception {
        ChildJvm.Running child = ChildJvm.run(ProbesClassVisibility.class).agentOptions("port=0")
                .jvmArgs("-Dawait.go=true").args("none").start();
        boolean exited = false;
        try {
            Scrape scrape = Scrape.of(Scrape.portOf(child));
            for (String kind : KINDS) assertEquals(0, waits(scrape, kind), kind);
            for (String hazard : new String[] {"stall", "self_join", "dead_owner", "double_start", "pool_starvation", "class_init_stall", "long_hold", "self_deadlock", "self_wait"}) {
                assertEquals(0, scrape.value("lockwatch_hazards_total", "kind", hazard), hazard);
            }
            for (String what : new String[] {"locks", "locks_evicted", "edges", "occurrences", "events", "segments"}) {
                assertEquals(0, scrape.value("lockwatch_dropped_total", "what", what), what);
            }
            assertEquals(0, scrape.value("lockwatch_potential_deadlocks_total"));
            assertEquals(0, scrape.value("lockwatch_deadlocks_total"));
            assertEquals(0, scrape.value("jvm_threads_deadlocked_threads"));
            assertEquals(0, scrape.value("lockwatch_tracking_stopped"));
            assertEquals(0, scrape.value("lockwatch_thread_dumps_total"));
            assertTrue(scrape.value("lockwatch_threads_alive") >= 1);
            assertThreadStatesAddUpAfterAGc(child);

            // A Prometheus with native histograms on asks for the protobuf format first: the agent jar does not
            // bundle it, and the answer is the text format, which Prometheus accepts as well.
            Http.Answer protobufAsked = Http.get("http://127.0.0.1:" + Scrape.portOf(child) + "/metrics",
                    "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,"
                            + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2");
            assertTrue(protobufAsked.contentType().startsWith("text/plain"), protobufAsked.contentType());
            assertTrue(protobufAsked.body().contains("lockwatch_potential_deadlocks_total 0"), protobufAsked.body());

            // main returns: the endpoint's and the event stream's threads must not keep the JVM alive.
            Files.createFile(child.dir().resolve("go"));
            ChildResult result = child.awaitExit(30);
            exited = true;
            assertEquals(0, result.exitCode, result.toString());
            assertEquals("none absent\n", result.stdout);
            result.assertCleanExit();
            // The one meter at 1 from the start: which lockwatch runs, the report's version as its label.
            String version = result.report().json.get("agent").get("version").asText();
            assertEquals(1, scrape.value("lockwatch_build_info", "version", version), version);
        } finally {
            if (!exited) child.kill(30);
        }
    }

    /**
     * {@code jvm_threads_states_threads} are lockwatch's own gauges: one per state, adding up to the live threads
     * in an idle program, also after a GC (a weakly held gauge reads NaN then) and with the JVM's Attach Listener
     * running (which JDK 17's thread groups do not list).
     */
    private static void assertThreadStatesAddUpAfterAGc(ChildJvm.Running child) throws Exception {
        Process gc = new ProcessBuilder(ChildJvm.jdkTool("jcmd").toString(), String.valueOf(child.pid()), "GC.run")
                .redirectErrorStream(true).start();
        String said = new String(gc.getInputStream().readAllBytes());
        assertTrue(gc.waitFor(30, TimeUnit.SECONDS) && gc.exitValue() == 0, "jcmd GC.run: " + said);
        Scrape scrape = Scrape.of(Scrape.portOf(child));
        double states = 0;
        for (Thread.State state : Thread.State.values()) {
            states += scrape.value("jvm_threads_states_threads", "state", state.name().toLowerCase().replace('_', '-'));
        }
        assertEquals(scrape.value("jvm_threads_live_threads"), states, scrape.text);
    }

    /**
     * The endpoint's thread waits in {@code accept()}, in native code, and HotSpot's exit waits up to 300 ms for
     * threads in native code: every JVM with the endpoint exited that much later until the agent closed its
     * socket at shutdown. The program's own shutdown hook sees the thread end.
     */
    @Test
    void theEndpointClosesAtShutdownSoTheJvmsExitDoesNotWaitForIt() throws Exception {
        ChildJvm.Running child = ChildJvm.run(EndpointAtExit.class).agentOptions("port=0").start();
        boolean exited = false;
        try {
            Scrape.of(Scrape.portOf(child)); // serving, and its thread back in accept()
            Files.createFile(child.dir().resolve("go"));
            ChildResult result = child.awaitExit(60);
            exited = true;
            assertEquals(0, result.exitCode, result.toString());
            assertEquals("endpoint thread at exit: TERMINATED\n", result.stdout, result.toString());
            result.assertCleanExit();
        } finally {
            if (!exited) child.kill(30);
        }
    }

    @Test
    void tenThousandLockSitesStayWithinTheSeriesBudget() throws Exception {
        ChildJvm.Running child = ChildJvm.run(ManyLockSites.class).agentOptions("port=0,contention-threshold=0ms")
                .args(generatedSites().toString(), "30").start();
        try {
            int port = Scrape.portOf(child);
            Files.createFile(child.dir().resolve("go"));
            child.awaitStdoutLine("waited 10000", 90);
            // The event thread records a wait in the counter, then in its histogram: a scrape in the middle of
            // a burst of events can see the counter ahead of the histograms, so both are awaited.
            Scrape scrape = awaitScrape(port, s -> waits(s, "reentrant_lock") >= 10_000 && timedWaits(s) >= 10_000,
                    "all 10,000 waits counted and timed");
            assertEquals(10_000, waits(scrape, "reentrant_lock"), "each wait counted once");
            assertEquals(10_000, timedWaits(scrape), "no sample lost by folding, none timed twice");
            Set<String> sites = scrape.named("lockwatch_wait_seconds_count").stream().map(s -> s.label("site")).collect(Collectors.toSet());
            assertTrue(sites.contains("other"), "sites past the budget fold into other: " + sites);
            assertTrue(sites.size() <= 101, "within max-sites: " + sites.size());
            assertTrue(scrape.samples.size() <= 500, "within the 500-series default budget: " + scrape.samples.size());
        } finally {
            child.kill(30);
        }
    }

    @Test
    void maxSitesCapsTheSiteLabel() throws Exception {
        ChildJvm.Running child = ChildJvm.run(ManyLockSites.class)
                .agentOptions("port=0,contention-threshold=0ms,max-sites=5,max-series=100000")
                .args(generatedSites().toString(), "30").start();
        try {
            int port = Scrape.portOf(child);
            Files.createFile(child.dir().resolve("go"));
            child.awaitStdoutLine("waited 10000", 90);
            Scrape scrape = awaitScrape(port, s -> waits(s, "reentrant_lock") >= 10_000, "all 10,000 waits counted");
            Set<String> sites = scrape.named("lockwatch_wait_seconds_count").stream().map(s -> s.label("site")).collect(Collectors.toSet());
            assertEquals(6, sites.size(), "5 sites and other: " + sites);
            assertTrue(sites.contains("other"));
            // At 0ms the JVM's own waits (e.g. its reference handler) count too; the lock sites are ours.
            Set<String> lockSites = scrape.named("lockwatch_wait_seconds_count", s -> "reentrant_lock".equals(s.label("kind")))
                    .stream().map(s -> s.label("site")).collect(Collectors.toSet());
            assertTrue(lockSites.stream().allMatch(s -> s.equals("other") || s.startsWith("GeneratedSites.m")), lockSites.toString());
        } finally {
            child.kill(30);
        }
    }

    @Test
    void aPortInUseIsOneClearErrorAndTheProgramRunsOn() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            ChildResult run = ChildJvm.run(PrintsAndExits.class).agentOptions("port=" + port).args("7").exec();
            assertEquals(7, run.exitCode, run.toString());
            assertEquals("line 0\nline 1\nline 2\nno newline at the end", run.stdout);
            List<String> errors = run.stderr.lines().filter(l -> l.startsWith("[lockwatch] ERROR")).collect(Collectors.toList());
            assertEquals(1, errors.size(), run.stderr);
            assertTrue(errors.get(0).contains(":" + port) && errors.get(0).contains("port=") && errors.get(0).contains("in use"),
                    "names the port and the fix: " + errors);
            assertFalse(run.stderr.contains("metrics at"), run.stderr);
            run.assertOnlyAgentLinesOnStderr();
        }
    }

    @Test
    void aBadPortIsOneClearErrorAndNoEndpoint() {
        ChildResult run = ChildJvm.run(PrintsAndExits.class).agentOptions("port=65536").args("7").exec();
        assertEquals(7, run.exitCode, run.toString());
        List<String> errors = run.stderr.lines().filter(l -> l.startsWith("[lockwatch] ERROR")).collect(Collectors.toList());
        assertEquals(1, errors.size(), run.stderr);
        assertTrue(errors.get(0).contains("port") && errors.get(0).contains("'65536'") && errors.get(0).contains("0 to 65535"), errors.toString());
        assertFalse(run.stderr.contains("metrics at"), run.stderr);
    }

    /**
     * An endpoint that cannot start (here the jar lacks one of its binders) is one error line, and one internal
     * failure counted: it was that line and a generic "internal failure" line for the same failure.
     */
    @Test
    void anEndpointThatCannotStartIsOneLineAndOneCountedFailure() throws Exception {
        Path damaged = AgentJars.without("io/lockwatch/agent/metrics/FindingMetrics.class");
        ChildJvm.Running child = ChildJvm.run(NestedLocksLoop.class).agentJar(damaged).agentOptions("port=0")
                .jvmArgs("-Dawait.go=true").args("1000").start();
        ChildResult run = null;
        try {
            child.awaitStderr("[lockwatch] ERROR the metrics endpoint could not start", 60);
            Files.createFile(child.dir().resolve("go"));
            run = child.awaitExit(30);
        } finally {
            if (run == null) child.kill(30);
        }
        assertEquals(0, run.exitCode, run.toString());
        run.assertOnlyAgentLinesOnStderr();
        List<String> errors = run.stderr.lines().filter(l -> l.startsWith("[lockwatch] ERROR")).collect(Collectors.toList());
        assertEquals(1, errors.size(), run.stderr);
        assertTrue(errors.get(0).contains("io/lockwatch/agent/metrics/FindingMetrics")
                && errors.get(0).contains("the application runs on without it"), errors.toString());
        assertEquals(1, run.report().stat("internalErrors"), run.report().json.get("stats").toString());
    }

    @Test
    void theApplicationNeverSeesTheBundledLibraries() {
        ChildResult run = ChildJvm.run(ProbesClassVisibility.class).agentOptions("port=0")
                .args("io.micrometer.core.instrument.MeterRegistry", "io.prometheus.metrics.model.registry.PrometheusRegistry",
                        "org.HdrHistogram.Histogram", "net.bytebuddy.ByteBuddy")
                .exec();
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("io.micrometer.core.instrument.MeterRegistry absent\n"
                + "io.prometheus.metrics.model.registry.PrometheusRegistry absent\n"
                + "org.HdrHistogram.Histogram absent\n"
                + "net.bytebuddy.ByteBuddy absent\n", run.stdout);
    }

    // ---- helpers ----

    private static Path generatedSites;

    /** Compiles ManyLockSites' 10,000-site class once per test run, here rather than in each child. */
    static synchronized Path generatedSites() throws Exception {
        if (generatedSites != null) return generatedSites;
        Path dir = Files.createDirectories(Paths.get(System.getProperty("lockwatch.workDir"), "generated-sites"));
        Path source = dir.resolve("GeneratedSites.java");
        Files.writeString(source, ManyLockSites.source());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-g", "--release", "17", "-d", dir.toString(), source.toString()),
                "compiling " + source);
        generatedSites = dir.toAbsolutePath();
        return generatedSites;
    }

    interface Condition {
        boolean test(Scrape scrape);
    }

    /** Scrapes until the condition holds, with a bounded deadline. */
    static Scrape awaitScrape(int port, Condition condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Scrape last = null;
        while (System.nanoTime() < deadline) {
            last = Scrape.of(port);
            if (condition.test(last)) return last;
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        fail("never saw: " + what + "\nlast scrape:\n" + (last == null ? "none" : last.text));
        return null;
    }

    /** Debian's promtool, as CI installs it. */
    static void promtoolCheck(String exposition, Path dir) throws Exception {
        String promtool = findPromtool();
        Path file = dir.resolve("scrape.txt");
        Files.writeString(file, exposition);
        Process p = new ProcessBuilder(promtool, "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out);
    }

    static String findPromtool() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, "promtool"))) return Paths.get(dir, "promtool").toString();
        }
        if (Files.isExecutable(Paths.get("/usr/bin/promtool"))) return "/usr/bin/promtool";
        fail("promtool not found on PATH or at /usr/bin/promtool: install Debian's prometheus package (.ci/run does)");
        return null;
    }
}
