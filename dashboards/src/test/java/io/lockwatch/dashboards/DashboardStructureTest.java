package io.lockwatch.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What Grafana needs to import the dashboard as is, and what users need to filter and read it. */
class DashboardStructureTest {
    private final JsonNode dashboard = DashboardFiles.dashboard();
    private final List<JsonNode> panels = DashboardFiles.panels(dashboard);

    @Test
    void importableAsIs() {
        assertTrue(dashboard.path("id").isNull(), "id must be null so Grafana assigns one on import");
        assertEquals("lockwatch-locks", dashboard.path("uid").asText());
        assertFalse(dashboard.path("title").asText().isBlank());
        assertTrue(dashboard.path("schemaVersion").asInt() >= 36, "schemaVersion");
        assertTrue(panels.size() > 20, "panels: " + panels.size());
    }

    @Test
    void panelIdsAreUnique() {
        Set<Integer> ids = new HashSet<>();
        for (JsonNode p : panels) {
            assertTrue(p.path("id").isInt(), "panel without id: " + p.path("title"));
            assertTrue(ids.add(p.path("id").asInt()), "duplicate panel id " + p.path("id") + " (" + p.path("title") + ")");
        }
    }

    @Test
    void panelsFitTheGridAndDoNotOverlap() {
        List<JsonNode> placed = new ArrayList<>();
        for (JsonNode p : panels) {
            JsonNode g = p.path("gridPos");
            int x = g.path("x").asInt(-1), y = g.path("y").asInt(-1), w = g.path("w").asInt(0), h = g.path("h").asInt(0);
            assertTrue(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24, "bad gridPos of " + p.path("title") + ": " + g);
            for (JsonNode other : placed) {
                JsonNode o = other.path("gridPos");
                boolean apart = x + w <= o.path("x").asInt() || o.path("x").asInt() + o.path("w").asInt() <= x
                        || y + h <= o.path("y").asInt() || o.path("y").asInt() + o.path("h").asInt() <= y;
                assertTrue(apart, "\"" + p.path("title").asText() + "\" " + g + " overlaps \"" + other.path("title").asText() + "\" " + o);
            }
            placed.add(p);
        }
    }

    @Test
    void everyPanelHasAUnitADescriptionAndTheDatasourceVariable() {
        for (JsonNode p : panels) {
            if ("row".equals(p.path("type").asText())) continue;
            String title = p.path("title").asText();
            String unit = p.path("fieldConfig").path("defaults").path("unit").asText();
            assertFalse(unit.isBlank(), "panel \"" + title + "\" has no unit");
            assertFalse(p.path("description").asText().isBlank(), "panel \"" + title + "\" has no description");
            assertEquals("${datasource}", p.path("datasource").path("uid").asText(), "panel \"" + title + "\" datasource");
            assertFalse(p.path("targets").isEmpty(), "panel \"" + title + "\" has no query");
            for (JsonNode t : p.path("targets")) {
                assertEquals("${datasource}", t.path("datasource").path("uid").asText(), "target of \"" + title + "\"");
            }
        }
    }

    @Test
    void everySelectorIsFilteredByJobAndInstance() {
        for (DashboardFiles.Query q : DashboardFiles.dashboardQueries()) {
            List<PromQL.Selector> selectors = PromQL.selectors(q.expr);
            assertFalse(selectors.isEmpty(), q + " reads no metric");
            for (PromQL.Selector s : selectors) {
                assertEquals("=~\"$job\"", s.matchers.get("job"), q + ": selector " + s + " must filter job=~\"$job\"");
                assertEquals("=~\"$instance\"", s.matchers.get("instance"), q + ": selector " + s + " must filter instance=~\"$instance\"");
            }
        }
    }

    /**
     * Range queries use {@code $__rate_interval}, which Grafana keeps at least four scrape intervals
     * wide. The only other window is {@code $__range}, in instant "... in range" stats and tables.
     */
    @Test
    void everyRangeUsesRateIntervalOrTheWholeRangeInInstantQueries() {
        Pattern range = Pattern.compile("\\[([^\\]]*)\\]");
        Pattern counterFunction = Pattern.compile("\\b(rate|irate|increase|delta|idelta)\\s*\\(");
        for (DashboardFiles.Query q : DashboardFiles.dashboardQueries()) {
            Matcher m = range.matcher(q.expr);
            int ranges = 0;
            while (m.find()) {
                ranges++;
                String window = m.group(1);
                boolean ok = window.equals("$__rate_interval") || (q.instant && window.equals("$__range"));
                assertTrue(ok, q + ": window [" + window + "] (use $__rate_interval; $__range only in instant queries)");
            }
            Matcher f = counterFunction.matcher(q.expr);
            int functions = 0;
            while (f.find()) functions++;
            assertTrue(ranges >= functions, q + ": every rate/increase needs its window");
        }
    }

    @Test
    void variablesForDatasourceJobAndInstanceAllByDefault() {
        JsonNode vars = dashboard.path("templating").path("list");
        JsonNode ds = variable(vars, "datasource");
        assertEquals("datasource", ds.path("type").asText());
        assertEquals("prometheus", ds.path("query").asText());
        for (String name : List.of("job", "instance")) {
            JsonNode v = variable(vars, name);
            assertEquals("query", v.path("type").asText(), name);
            assertTrue(v.path("multi").asBoolean(), name + " must be multi-select");
            assertTrue(v.path("includeAll").asBoolean(), name + " must include All");
            assertEquals("$__all", v.path("current").path("value").get(0).asText(), name + " must default to All");
            assertEquals("${datasource}", v.path("datasource").path("uid").asText(), name);
        }
        for (DashboardFiles.Query q : DashboardFiles.variableSelectors()) {
            assertEquals(1, PromQL.selectors(q.expr).size(), q.toString());
        }
        assertTrue(variable(vars, "instance").path("definition").asText().contains("job=~\"$job\""),
                "instances follow the chosen jobs");
    }

    @Test
    void theSectionsTheOnCallEngineerLooksFor() {
        List<String> rows = new ArrayList<>();
        Set<String> types = new HashSet<>();
        for (JsonNode p : panels) {
            if ("row".equals(p.path("type").asText())) rows.add(p.path("title").asText());
            types.add(p.path("type").asText());
        }
        assertEquals(List.of("Overview", "Contention", "Conditions, semaphores, latches, barriers, phasers, joins",
                "Threads", "lockwatch agent health"), rows);
        assertTrue(types.containsAll(List.of("stat", "timeseries", "heatmap", "table")), types.toString());
        StringBuilder all = new StringBuilder();
        for (DashboardFiles.Query q : DashboardFiles.dashboardQueries()) all.append(q.expr).append('\n');
        for (String needed : List.of("histogram_quantile(0.99", "lockwatch_wait_seconds_bucket", "lockwatch_deadlocked_threads",
                "lockwatch_threads_stuck", "state=\"blocked\"", "site")) {
            assertTrue(all.indexOf(needed) >= 0, "no panel uses " + needed);
        }
    }

    private static JsonNode variable(JsonNode vars, String name) {
        for (JsonNode v : vars) {
            if (name.equals(v.path("name").asText())) return v;
        }
        throw new AssertionError("no variable $" + name);
    }
}
