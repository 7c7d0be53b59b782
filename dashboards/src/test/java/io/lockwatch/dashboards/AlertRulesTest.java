package io.lockwatch.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The alert rules: valid for Prometheus, unit-tested with promtool, and complete for the on-call engineer. */
class AlertRulesTest {

    /** The alerts the issue asks for; more may come, none may go. */
    private static final List<String> REQUIRED = List.of("LockwatchDeadlock", "LockwatchDeadlockCleared",
            "LockwatchPotentialDeadlock", "LockwatchThreadsStalled", "LockwatchHighContention",
            "LockwatchDetectorStale", "LockwatchDroppingData");

    @Test
    void promtoolChecksTheRuleFile() {
        Promtool.Result r = Promtool.run(DashboardFiles.dir(), "check", "rules", DashboardFiles.rulesFile().toString());
        assertEquals(0, r.exitCode, r.output);
        assertTrue(r.output.contains("SUCCESS"), r.output);
    }

    @Test
    void promtoolUnitTestsPass() {
        List<String> args = new ArrayList<>(List.of("test", "rules"));
        for (Path f : DashboardFiles.ruleTestFiles()) args.add(f.toString());
        assertTrue(args.size() > 2, "no promtool tests in prometheus/tests");
        Promtool.Result r = Promtool.run(DashboardFiles.dir().resolve("prometheus/tests"), args.toArray(new String[0]));
        assertEquals(0, r.exitCode, r.output);
        assertFalse(r.output.contains("FAILED"), r.output);
    }

    @Test
    void theRequiredAlertsExist() {
        assertTrue(alerts().keySetNames().containsAll(REQUIRED), "alerts: " + alerts().keySetNames());
    }

    @Test
    void everyAlertHasSeveritySummaryDescriptionAndARunbookSectionThatExists() throws IOException {
        Set<String> anchors = markdownAnchors(Files.readString(DashboardFiles.runbook()));
        for (JsonNode rule : alerts().rules) {
            String name = rule.path("alert").asText();
            String severity = rule.path("labels").path("severity").asText();
            assertTrue(severity.equals("critical") || severity.equals("warning"), name + " severity: " + severity);
            JsonNode annotations = rule.path("annotations");
            assertFalse(annotations.path("summary").asText().isBlank(), name + " has no summary");
            assertTrue(annotations.path("description").asText().length() > 80, name + " needs a real description");
            String runbook = annotations.path("runbook_url").asText();
            assertTrue(runbook.startsWith("dashboards/RUNBOOK.md#"), name + " runbook_url: " + runbook);
            String anchor = runbook.substring(runbook.indexOf('#') + 1);
            assertEquals(name.toLowerCase(), anchor, name + ": one runbook section per alert, named after it");
            assertTrue(anchors.contains(anchor), name + ": RUNBOOK.md has no section #" + anchor + " (sections: " + anchors + ")");
            assertTrue(rule.has("for"), name + " has no 'for'");
        }
        assertEquals("critical", alerts().byName("LockwatchDeadlock").path("labels").path("severity").asText());
    }

    /**
     * Every alert has promtool cases that show it silent before its {@code for} and then firing with all
     * three annotations checked, and a case whose input series appears late (starts with missing samples).
     */
    @Test
    void everyAlertIsUnitTestedBeforeAndAfterItsForAndWithALateSeries() {
        for (JsonNode rule : alerts().rules) {
            String alert = rule.path("alert").asText();
            Set<String> metrics = new HashSet<>(PromQL.metrics(rule.path("expr").asText()));
            boolean silentThenFiring = false;
            boolean lateSeries = false;
            for (Path file : DashboardFiles.ruleTestFiles()) {
                for (JsonNode test : DashboardFiles.readYaml(file).path("tests")) {
                    long firstSilent = Long.MAX_VALUE;
                    long firstFiring = Long.MAX_VALUE;
                    for (JsonNode eval : test.path("alert_rule_test")) {
                        if (!alert.equals(eval.path("alertname").asText())) continue;
                        long at = seconds(eval.path("eval_time").asText());
                        JsonNode expected = eval.path("exp_alerts");
                        if (expected.isEmpty()) {
                            firstSilent = Math.min(firstSilent, at);
                        } else {
                            firstFiring = Math.min(firstFiring, at);
                            for (JsonNode a : expected) {
                                JsonNode ann = a.path("exp_annotations");
                                assertTrue(ann.has("summary") && ann.has("description") && ann.has("runbook_url"),
                                        file + " '" + test.path("name").asText() + "': check every annotation of " + alert);
                                assertTrue(a.path("exp_labels").has("severity"), file + ": check the severity of " + alert);
                            }
                        }
                    }
                    if (firstSilent < firstFiring && firstFiring != Long.MAX_VALUE) silentThenFiring = true;
                    boolean evaluatesAlert = firstSilent != Long.MAX_VALUE || firstFiring != Long.MAX_VALUE;
                    for (JsonNode series : test.path("input_series")) {
                        String name = series.path("series").asText().split("\\{")[0];
                        if (evaluatesAlert && metrics.contains(name) && series.path("values").asText().startsWith("_")) {
                            lateSeries = true;
                        }
                    }
                }
            }
            assertTrue(silentThenFiring, alert + ": no promtool case shows it silent before its 'for' and firing after");
            assertTrue(lateSeries, alert + ": no promtool case with a series of " + metrics + " that appears late");
        }
    }

    static long seconds(String duration) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(duration);
        long total = 0;
        while (m.find()) {
            long v = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms": total += v / 1000; break;
                case "s": total += v; break;
                case "m": total += v * 60; break;
                case "h": total += v * 3600; break;
                default: total += v * 86400;
            }
        }
        return total;
    }

    /** GitHub's anchors for markdown headings: lower case, punctuation dropped, spaces to dashes. */
    static Set<String> markdownAnchors(String markdown) {
        Set<String> anchors = new HashSet<>();
        for (String line : markdown.split("\n")) {
            if (!line.startsWith("#")) continue;
            String heading = line.replaceFirst("^#+\\s*", "").trim().toLowerCase();
            anchors.add(heading.replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
        }
        return anchors;
    }

    private static Alerts alerts() {
        return new Alerts(DashboardFiles.rules());
    }

    private static final class Alerts {
        final List<JsonNode> rules = new ArrayList<>();

        Alerts(JsonNode file) {
            for (JsonNode group : file.path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (rule.has("alert")) rules.add(rule);
                }
            }
        }

        Set<String> keySetNames() {
            Set<String> names = new HashSet<>();
            for (JsonNode r : rules) names.add(r.path("alert").asText());
            return names;
        }

        JsonNode byName(String name) {
            for (JsonNode r : rules) {
                if (name.equals(r.path("alert").asText())) return r;
            }
            throw new AssertionError("no alert " + name);
        }
    }
}
