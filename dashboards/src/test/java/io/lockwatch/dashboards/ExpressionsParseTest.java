package io.lockwatch.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every query of the dashboard, with its variables filled in as Grafana fills them, parses as PromQL:
 * the test writes each one into a recording rule and lets promtool check the file with Prometheus's own
 * parser. (The alert rules are checked by {@link AlertRulesTest}; the live tests run every query
 * against a real Prometheus.)
 */
class ExpressionsParseTest {

    @Test
    void everyDashboardQueryParses() throws IOException {
        List<DashboardFiles.Query> queries = new ArrayList<>(DashboardFiles.dashboardQueries());
        queries.addAll(DashboardFiles.variableSelectors());
        StringBuilder rules = new StringBuilder("groups:\n  - name: lockwatch-dashboard-queries\n    rules:\n");
        int n = 0;
        for (DashboardFiles.Query q : queries) {
            // Two job values, as a multi-select gives them, and an address with regex characters.
            String expr = DashboardFiles.substitute(q.expr, List.of("shop", "billing"), List.of("10.0.0.1:9404"), "1m", "1h");
            rules.append("      # ").append(q.where.replace('\n', ' ')).append('\n');
            rules.append("      - record: lockwatch_dashboard_query_").append(++n).append('\n');
            rules.append("        expr: |\n");
            for (String line : expr.split("\n")) rules.append("          ").append(line).append('\n');
        }
        Path dir = Files.createDirectories(Paths.get(System.getProperty("lockwatch.scratchDir", "target/scratch")));
        Path file = dir.resolve("dashboard-queries.rules.yml");
        Files.writeString(file, rules.toString());
        Promtool.Result r = Promtool.run(dir, "check", "rules", file.toString());
        assertEquals(0, r.exitCode, "promtool could not parse a dashboard query (" + file + "):\n" + r.output);
    }
}
