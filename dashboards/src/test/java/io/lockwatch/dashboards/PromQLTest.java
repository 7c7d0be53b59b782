package io.lockwatch.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The selector finder the other checks rely on: it must see every metric and nothing else. */
class PromQLTest {

    @Test
    void findsMetricsInsideFunctionsAggregationsAndBinaryOperators() {
        String expr = "histogram_quantile(0.99, sum by (kind, le) (rate(lockwatch_wait_seconds_bucket"
                + "{job=~\"$job\", kind=~\"monitor|reentrant_lock\"}[5m]))) / on (job) group_left (instance) up"
                + " or max_over_time(lockwatch_deadlocked_threads[1h] offset 1h) > 0 unless x offset 30m";
        assertEquals(List.of("lockwatch_wait_seconds_bucket", "up", "lockwatch_deadlocked_threads", "x"),
                PromQL.metrics(expr));
    }

    @Test
    void readsLabelMatchersWithTheirOperators() {
        PromQL.Selector s = PromQL.selectors("sum(rate(a_total{job=~\"$job\", instance!=\"x,y}\", kind='k'}[$__rate_interval]))").get(0);
        assertEquals("a_total", s.metric);
        assertEquals("=~\"$job\"", s.matchers.get("job"));
        assertEquals("!=\"x,y}\"", s.matchers.get("instance"));
        assertEquals("='k'", s.matchers.get("kind"));
    }

    @Test
    void aggregationClauseAfterTheArgumentIsNotAMetric() {
        assertEquals(List.of("b"), PromQL.metrics("sum(b) without (kind, site) > bool 2"));
        assertEquals(List.of("c"), PromQL.metrics("time() - c > 60"));
    }

    @Test
    void selectorWithoutAMetricNameIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> PromQL.selectors("sum({__name__=~\"lockwatch_.*\"})"));
    }
}
