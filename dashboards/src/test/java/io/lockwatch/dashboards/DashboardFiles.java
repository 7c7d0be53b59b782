package io.lockwatch.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The shipped dashboard and rule files, read the way Grafana and Prometheus read them, and every PromQL
 * query in them. Shared by the static tests here and the live tests in integration-tests.
 */
public final class DashboardFiles {
    private DashboardFiles() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The {@code dashboards/} folder (system property {@code lockwatch.dashboardsDir}, set by Maven). */
    public static Path dir() {
        String dir = System.getProperty("lockwatch.dashboardsDir");
        if (dir == null) throw new IllegalStateException("system property lockwatch.dashboardsDir is not set (run through Maven)");
        return Paths.get(dir).toAbsolutePath().normalize();
    }

    public static Path dashboardFile() {
        return dir().resolve("grafana/lockwatch-locks.json");
    }

    public static Path rulesFile() {
        return dir().resolve("prometheus/lockwatch-alerts.yml");
    }

    public static Path runbook() {
        return dir().resolve("RUNBOOK.md");
    }

    public static List<Path> ruleTestFiles() {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir().resolve("prometheus/tests"), "*.yml")) {
            for (Path p : stream) files.add(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.sort(null);
        return files;
    }

    public static JsonNode dashboard() {
        return readJson(dashboardFile());
    }

    public static JsonNode rules() {
        return readYaml(rulesFile());
    }

    public static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static JsonNode readYaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Every panel, including panels nested in collapsed rows. */
    public static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            all.add(panel);
            for (JsonNode nested : panel.path("panels")) all.add(nested);
        }
        return all;
    }

    /** A PromQL query of the dashboard or of the rules, with where it comes from. */
    public static final class Query {
        public final String where;
        public final String expr;
        /** Grafana runs it as an instant query (stat/table "in range" values) rather than a range query. */
        public final boolean instant;

        Query(String where, String expr, boolean instant) {
            this.where = where;
            this.expr = expr;
            this.instant = instant;
        }

        @Override
        public String toString() {
            return where + ": " + expr;
        }
    }

    /** Every panel target's expression, as written (with Grafana variables). */
    public static List<Query> dashboardQueries() {
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : panels(dashboard())) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(new Query("panel " + panel.path("id").asInt() + " \"" + panel.path("title").asText()
                        + "\" target " + target.path("refId").asText(), target.path("expr").asText(),
                        target.path("instant").asBoolean(false)));
            }
        }
        return queries;
    }

    /**
     * The metric selectors of the template variables' {@code label_values(selector, label)} queries,
     * which Grafana sends to Prometheus as series look-ups.
     */
    public static List<Query> variableSelectors() {
        List<Query> queries = new ArrayList<>();
        for (JsonNode variable : dashboard().path("templating").path("list")) {
            if (!"query".equals(variable.path("type").asText())) continue;
            JsonNode q = variable.path("query");
            String text = q.isTextual() ? q.asText() : q.path("query").asText();
            if (!text.startsWith("label_values(") || !text.endsWith(")")) {
                throw new IllegalStateException("variable " + variable.path("name").asText() + ": expected label_values(...), got " + text);
            }
            String args = text.substring("label_values(".length(), text.length() - 1);
            String selector = args.substring(0, args.lastIndexOf(',')).trim();
            queries.add(new Query("variable $" + variable.path("name").asText(), selector, true));
        }
        return queries;
    }

    /** Every alert's expression. */
    public static List<Query> ruleQueries() {
        List<Query> queries = new ArrayList<>();
        for (JsonNode group : rules().path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.has("alert") ? "alert " + rule.path("alert").asText() : "record " + rule.path("record").asText();
                queries.add(new Query(name, rule.path("expr").asText(), true));
            }
        }
        return queries;
    }

    /**
     * The expression as Grafana sends it to Prometheus for the chosen jobs and instances: the variables
     * replaced the way Grafana formats a multi-value variable for a regex matcher ({@code (a|b)}, each
     * value regex-escaped), "All" for kind and lock class, and the given {@code $__rate_interval} and
     * {@code $__range}.
     */
    public static String substitute(String expr, List<String> jobs, List<String> instances, String rateInterval, String range) {
        return expr.replace("$__rate_interval", rateInterval)
                .replace("$__range", range)
                .replace("$job", regexAlternatives(jobs))
                .replace("$instance", regexAlternatives(instances))
                .replace("$kind", ".*")
                .replace("$lock_class", ".*");
    }

    private static String regexAlternatives(List<String> values) {
        if (values.size() == 1) return regexQuote(values.get(0));
        StringBuilder sb = new StringBuilder("(");
        for (String v : values) {
            if (sb.length() > 1) sb.append('|');
            sb.append(regexQuote(v));
        }
        return sb.append(')').toString();
    }

    // Grafana escapes regex characters of a variable's value used in =~ (the dots of an address).
    private static String regexQuote(String value) {
        StringBuilder sb = new StringBuilder();
        for (char c : value.toCharArray()) {
            if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) sb.append("\\\\");
            sb.append(c);
        }
        return sb.toString();
    }
}
