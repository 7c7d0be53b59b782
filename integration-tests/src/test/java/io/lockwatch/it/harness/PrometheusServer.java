package io.lockwatch.it.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real Prometheus (Debian package {@code prometheus}) on a free loopback port with a fresh data
 * folder: it scrapes one target every second, evaluates the given rule files every second and sends
 * alerts to the given Alertmanager.
 */
public final class PrometheusServer implements AutoCloseable {
    public static final String JOB = "lockwatch-live";

    private final ServerProcess process;
    private final String base;

    private PrometheusServer(ServerProcess process, String base) {
        this.process = process;
        this.base = base;
    }

    public static PrometheusServer start(Path dir, String target, List<Path> ruleFiles, String alertmanager) {
        int port = ServerProcess.freePort();
        StringBuilder config = new StringBuilder()
                .append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n")
                .append("rule_files:\n");
        for (Path rules : ruleFiles) config.append("  - '").append(rules.toAbsolutePath()).append("'\n");
        config.append("alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['")
                .append(alertmanager).append("']\n")
                .append("scrape_configs:\n  - job_name: '").append(JOB).append("'\n")
                .append("    static_configs:\n      - targets: ['").append(target).append("']\n");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("prometheus.yml"), config.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String executable = io.lockwatch.dashboards.Promtool.onPath("prometheus", "prometheus");
        ServerProcess p = ServerProcess.start("prometheus", dir, executable,
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port);
        String base = "http://127.0.0.1:" + port;
        try {
            p.awaitReady(base + "/-/ready", 60);
        } catch (RuntimeException | AssertionError e) {
            p.close();
            throw e;
        }
        return new PrometheusServer(p, base);
    }

    /** {@code data.result} of an instant query now; a query Prometheus rejects fails with its error. */
    public JsonNode query(String expr) {
        try {
            JsonNode answer = Http.getJson(base + "/api/v1/query?query=" + Http.encode(expr));
            if (!"success".equals(answer.path("status").asText())) throw new AssertionError(expr + ": " + answer);
            return answer.path("data").path("result");
        } catch (IOException e) {
            throw new AssertionError("query failed: " + expr + ": " + e.getMessage(), e);
        }
    }

    /** {@code data.result} of a range query over the last {@code seconds}, as a Grafana time series panel asks. */
    public JsonNode queryRange(String expr, long seconds, long stepSeconds) {
        long end = System.currentTimeMillis() / 1000;
        String url = base + "/api/v1/query_range?query=" + Http.encode(expr) + "&start=" + (end - seconds)
                + "&end=" + end + "&step=" + stepSeconds;
        try {
            JsonNode answer = Http.getJson(url);
            if (!"success".equals(answer.path("status").asText())) throw new AssertionError(expr + ": " + answer);
            return answer.path("data").path("result");
        } catch (IOException e) {
            throw new AssertionError("range query failed: " + expr + ": " + e.getMessage(), e);
        }
    }

    /** {@code data.alerts} of /api/v1/alerts: every pending and firing alert. */
    public JsonNode alerts() {
        try {
            return Http.getJson(base + "/api/v1/alerts").path("data").path("alerts");
        } catch (IOException e) {
            throw new AssertionError("GET /api/v1/alerts failed: " + e.getMessage(), e);
        }
    }

    /** {@code data.groups} of /api/v1/rules: the loaded rules with their health and last error. */
    public JsonNode ruleGroups() {
        try {
            return Http.getJson(base + "/api/v1/rules").path("data").path("groups");
        } catch (IOException e) {
            throw new AssertionError("GET /api/v1/rules failed: " + e.getMessage(), e);
        }
    }

    public String log() {
        return process.log();
    }

    @Override
    public void close() {
        process.close();
    }
}
