package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lockwatch.dashboards.DashboardFiles;
import io.lockwatch.dashboards.PromQL;
import io.lockwatch.it.harness.AlertmanagerServer;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.MetricFamilies;
import io.lockwatch.it.harness.PrometheusServer;
import io.lockwatch.it.harness.ServerProcess;
import io.lockwatch.it.harness.WebhookReceiver;
import io.lockwatch.it.programs.EveryLockProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped dashboard and alert rules against the real thing, on loopback: a child JVM with the agent
 * ({@link EveryLockProblem}: contention on every primitive, then a lock-order inversion, a stall and a
 * real deadlock), a real Prometheus scraping it every second with the shipped rule files, and a real
 * Alertmanager that delivers to a webhook in this JVM.
 */
class DashboardsLiveTest {
    private static ChildJvm.Running service;
    private static int metricsPort;
    private static WebhookReceiver webhook;
    private static AlertmanagerServer alertmanager;
    private static PrometheusServer prometheus;
    private static String instance;
    /** The agent's /metrics before anything but contention happened. */
    private static MetricFamilies beforeTrouble;

    @BeforeAll
    static void startServiceAndMonitoring() throws IOException {
        metricsPort = ServerProcess.freePort();
        instance = "127.0.0.1:" + metricsPort;
        service = ChildJvm.run(EveryLockProblem.class)
                .agentOptions("port=" + metricsPort + ",stall-threshold=2s")
                .args("go")
                .start();
        try {
            service.awaitStdoutLine("contending", 60);
            awaitMetricsEndpoint();
            Path dir = service.dir().resolve("monitoring");
            webhook = WebhookReceiver.start();
            alertmanager = AlertmanagerServer.start(dir, webhook.url());
            prometheus = PrometheusServer.start(dir, instance, List.of(DashboardFiles.rulesFile()), alertmanager.address());
            // Prometheus has stored the agent's zeros before anything goes wrong, as in production.
            awaitQuery("lockwatch_deadlocks_total{job=\"" + PrometheusServer.JOB + "\"} == 0", 60);
            beforeTrouble = MetricFamilies.fetch(metricsPort);
            Files.createFile(service.dir().resolve("go"));
            service.awaitStdoutLine("troubled", 60);
        } catch (RuntimeException | Error e) {
            stopAll();
            throw e;
        }
    }

    @AfterAll
    static void stopAll() {
        // Each one stopped once, even when start-up failed half way (then this runs twice).
        if (prometheus != null) prometheus.close();
        prometheus = null;
        if (alertmanager != null) alertmanager.close();
        alertmanager = null;
        if (webhook != null) webhook.close();
        webhook = null;
        if (service != null) service.kill(30);
        service = null;
    }

    /**
     * The dashboard and the rules read only metrics (and label values) the agent really exports, and
     * every metric family the agent exports is shown or alerted on somewhere.
     */
    @Test
    void dashboardsAndRulesUseExactlyTheExportedMetrics() throws IOException {
        MetricFamilies scrape = MetricFamilies.fetch(metricsPort);
        List<DashboardFiles.Query> queries = new ArrayList<>(DashboardFiles.dashboardQueries());
        queries.addAll(DashboardFiles.variableSelectors());
        queries.addAll(DashboardFiles.ruleQueries());
        Set<String> usedFamilies = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        Pattern literalAlternatives = Pattern.compile("[a-z_]+(\\|[a-z_]+)*");
        for (DashboardFiles.Query q : queries) {
            for (PromQL.Selector s : PromQL.selectors(q.expr)) {
                String family = scrape.familyOfSample.get(s.metric);
                if (family == null) {
                    problems.add(q.where + " reads " + s.metric + ", which the agent does not export");
                    continue;
                }
                usedFamilies.add(family);
                for (Map.Entry<String, String> m : s.matchers.entrySet()) {
                    String value = m.getValue().replaceFirst("^[=!~]+", "");
                    value = value.substring(1, value.length() - 1);
                    if (!literalAlternatives.matcher(value).matches()) continue; // variables, patterns
                    Set<String> known = scrape.labelValues.getOrDefault(m.getKey(), Set.of());
                    for (String v : value.split("\\|")) {
                        if (!known.contains(v)) {
                            problems.add(q.where + " matches " + m.getKey() + "=\"" + v + "\"; the agent's values: " + known);
                        }
                    }
                }
            }
        }
        for (String family : scrape.families.keySet()) {
            if (!usedFamilies.contains(family)) problems.add("exported family " + family + " is on no panel and in no rule");
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems) + "\n--- scrape:\n" + scrape.text);
    }

    /**
     * The alerts' increase() sees the first finding only because the agent serves every counter at zero
     * from the start: each finding counter, each hazard kind and each dropped kind, each wait kind.
     */
    @Test
    void everyCounterTheAlertsWatchIsServedAtZeroBeforeTheFirstEvent() {
        Map<String, Double> s = beforeTrouble.samples;
        List<String> missing = new ArrayList<>();
        for (String series : List.of("lockwatch_deadlocks_total", "lockwatch_potential_deadlocks_total",
                "lockwatch_deadlocked_threads", "lockwatch_internal_errors_total")) {
            if (!Double.valueOf(0).equals(s.get(series))) missing.add(series + " = " + s.get(series));
        }
        for (String kind : List.of("stall", "self_join", "dead_owner", "double_start", "pool_starvation", "class_init_stall", "long_hold", "self_deadlock", "self_wait")) {
            String series = "lockwatch_hazards_total{kind=\"" + kind + "\"}";
            if (!Double.valueOf(0).equals(s.get(series))) missing.add(series + " = " + s.get(series));
        }
        for (String what : List.of("locks", "edges", "occurrences", "events")) {
            String series = "lockwatch_dropped_total{what=\"" + what + "\"}";
            if (!Double.valueOf(0).equals(s.get(series))) missing.add(series + " = " + s.get(series));
        }
        for (String kind : List.of("monitor", "reentrant_lock", "read_lock", "write_lock", "condition", "object_wait",
                "semaphore", "latch", "barrier", "phaser", "join")) {
            String series = "lockwatch_contended_waits_total{kind=\"" + kind + "\"}";
            if (!s.containsKey(series)) missing.add(series + " is not served");
        }
        assertTrue(missing.isEmpty(), "not served at zero before the first event:\n" + String.join("\n", missing)
                + "\n--- scrape:\n" + beforeTrouble.text);
    }

    /**
     * Every query of every panel, sent as Grafana sends it (this job and instance; $__rate_interval 15s,
     * four 1s scrapes and more; range queries for time series, instant ones for stats and tables),
     * returns data with a real value. Waits for the slowest.
     */
    @Test
    void everyDashboardQueryReturnsData() {
        List<DashboardFiles.Query> pending = new ArrayList<>(DashboardFiles.dashboardQueries());
        pending.addAll(DashboardFiles.variableSelectors());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> empty = new ArrayList<>();
        while (true) {
            empty.clear();
            List<DashboardFiles.Query> still = new ArrayList<>();
            for (DashboardFiles.Query q : pending) {
                String expr = DashboardFiles.substitute(q.expr, List.of(PrometheusServer.JOB), List.of(instance), "15s", "10m");
                // Stats and tables run instant queries; time series and heatmaps run range queries.
                JsonNode result = q.instant ? prometheus.query(expr) : prometheus.queryRange(expr, 30, 5);
                if (!hasFiniteValue(result)) {
                    still.add(q);
                    empty.add(q.where + "\n    " + expr + "\n    -> " + result);
                }
            }
            pending = still;
            if (pending.isEmpty()) break;
            if (System.nanoTime() > deadline) fail("dashboard queries without data:\n" + String.join("\n", empty));
            pause(1000);
        }
        // The service's problems show on the overview (the detector reports within the stall threshold).
        String self = "{instance=\"" + instance + "\"}";
        awaitQuery("lockwatch_deadlocked_threads" + self + " >= 2", 30);
        awaitQuery("jvm_threads_deadlocked_threads" + self + " >= 2", 30);
        awaitQuery("lockwatch_deadlocks_total" + self + " >= 1", 30);
        awaitQuery("lockwatch_hazards_total{instance=\"" + instance + "\", kind=\"stall\"} >= 1", 30);
        awaitQuery("sum(rate(lockwatch_contended_waits_total" + self + "[15s])) > 0", 30);
        awaitQuery("lockwatch_potential_deadlocks_total" + self + " >= 1", 30);
        awaitQuery("lockwatch_threads_stuck" + self + " >= 1", 30);
    }

    /**
     * The service's problems raise the shipped alerts with the labels and annotations of the rule file: the
     * deadlock alert is pending or firing, the other alerts they should raise are at least pending, and the
     * agent-health alerts stay quiet.
     */
    @Test
    void theServicesProblemsRaiseTheirAlerts() {
        JsonNode deadlock = awaitAlert("LockwatchDeadlock", Set.of("pending", "firing"), 60);
        assertEquals("critical", deadlock.path("labels").path("severity").asText());
        assertEquals(PrometheusServer.JOB, deadlock.path("labels").path("job").asText());
        assertEquals(instance, deadlock.path("labels").path("instance").asText());
        assertEquals("dashboards/RUNBOOK.md#lockwatchdeadlock", deadlock.path("annotations").path("runbook_url").asText());
        assertTrue(deadlock.path("annotations").path("summary").asText()
                .matches("Deadlock: \\d+ threads of " + Pattern.quote(instance) + " wait for each other forever"),
                deadlock.toString());

        for (String expected : List.of("LockwatchPotentialDeadlock", "LockwatchThreadsStalled", "LockwatchHangHazard")) {
            awaitAlert(expected, Set.of("pending", "firing"), 60);
        }
        JsonNode alerts = prometheus.alerts();
        for (String quiet : List.of("LockwatchDetectorStale", "LockwatchDroppingData", "LockwatchDeadlockCleared")) {
            assertTrue(findAlert(alerts, quiet) == null, quiet + " should be quiet: " + alerts);
        }
        // The stale-detector alert is quiet for the right reason: its expression is false, not empty.
        assertTrue(value("time() - lockwatch_detector_last_run_timestamp_seconds{instance=\"" + instance + "\"}") < 60,
                "detector last run");
        for (JsonNode group : prometheus.ruleGroups()) {
            for (JsonNode rule : group.path("rules")) {
                assertEquals("ok", rule.path("health").asText(), "rule " + rule.path("name") + ": " + rule.path("lastError"));
            }
        }
    }

    /**
     * The deadlock alert fires after its rule's {@code for:} and Alertmanager delivers it to the webhook, with
     * the rule's labels and annotations. Run on the JDK the build runs on only: from the scrape on, this is
     * Prometheus's and Alertmanager's work, the same whatever JDK the service runs, and it waits out the rule's
     * 30 s. What depends on the service's JDK (the series, the alert raised) is checked on every JDK above.
     */
    @Test
    void deadlockAlertFiresAndAlertmanagerDeliversIt() {
        assumeTrue(ChildJvm.childFeatureVersion() == Runtime.version().feature(),
                "the service runs on JDK " + ChildJvm.childFeatureVersion() + ", not the build's");
        JsonNode firing = awaitAlert("LockwatchDeadlock", Set.of("firing"), 120);
        JsonNode notification = webhook.await(n -> "firing".equals(n.path("status").asText())
                && hasAlert(n, "LockwatchDeadlock"), 60, "LockwatchDeadlock firing");
        JsonNode delivered = null;
        for (JsonNode a : notification.path("alerts")) {
            if ("LockwatchDeadlock".equals(a.path("labels").path("alertname").asText())) delivered = a;
        }
        assertEquals("firing", delivered.path("status").asText());
        assertEquals("critical", delivered.path("labels").path("severity").asText());
        assertEquals(instance, delivered.path("labels").path("instance").asText());
        assertEquals(firing.path("annotations").path("description").asText(),
                delivered.path("annotations").path("description").asText());
        assertEquals("dashboards/RUNBOOK.md#lockwatchdeadlock", delivered.path("annotations").path("runbook_url").asText());
    }

    // ---- helpers

    private static JsonNode awaitAlert(String name, Set<String> states, long timeoutSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        JsonNode alerts = null;
        while (System.nanoTime() < deadline) {
            alerts = prometheus.alerts();
            JsonNode alert = findAlert(alerts, name);
            if (alert != null && states.contains(alert.path("state").asText())) return alert;
            pause(500);
        }
        fail(name + " never reached " + String.join(" or ", states) + " within " + timeoutSeconds + "s; alerts: " + alerts);
        return null;
    }

    private static JsonNode findAlert(JsonNode alerts, String name) {
        for (JsonNode a : alerts) {
            if (name.equals(a.path("labels").path("alertname").asText()) && instance.equals(a.path("labels").path("instance").asText())) {
                return a;
            }
        }
        return null;
    }

    private static boolean hasAlert(JsonNode notification, String name) {
        for (JsonNode a : notification.path("alerts")) {
            if (name.equals(a.path("labels").path("alertname").asText())) return true;
        }
        return false;
    }

    /** Some series has a real number: an instant "value" or one of a range's "values". */
    private static boolean hasFiniteValue(JsonNode result) {
        for (JsonNode series : result) {
            List<JsonNode> points = new ArrayList<>();
            if (series.has("value")) points.add(series.path("value"));
            for (JsonNode p : series.path("values")) points.add(p);
            for (JsonNode point : points) {
                double v = Double.parseDouble(point.get(1).asText());
                if (!Double.isNaN(v) && !Double.isInfinite(v)) return true;
            }
        }
        return false;
    }

    /** The value of a query that returns one series now (-1 if none). */
    private static double value(String expr) {
        JsonNode result = prometheus.query(expr);
        if (result.isEmpty()) return -1;
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    private static void awaitQuery(String expr, long timeoutSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (!prometheus.query(expr).isEmpty()) return;
            pause(250);
        }
        fail("no result for " + expr + " within " + timeoutSeconds + "s\nprometheus log:\n" + prometheus.log());
    }

    private static void awaitMetricsEndpoint() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try {
                MetricFamilies.fetch(metricsPort);
                return;
            } catch (IOException e) {
                last = e;
            }
            pause(100);
        }
        fail("the agent never served http://127.0.0.1:" + metricsPort + "/metrics: " + last + "; see " + service.dir());
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
