package io.lockwatch.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ContentionMetricsTest {
    private static PrometheusMeterRegistry registry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    @Test
    void everyKindIsAtZeroBeforeAnyWait() {
        PrometheusMeterRegistry registry = registry();
        new ContentionMetrics(100, 500).bindTo(registry);
        String scrape = registry.scrape();
        for (WaitKind kind : WaitKind.values()) {
            assertTrue(scrape.contains("lockwatch_contended_waits_total{kind=\"" + kind.tag + "\"} 0.0"), kind + "\n" + scrape);
        }
        assertEquals(WaitKind.values().length, MetricsAgent.countSeries(scrape));
    }

    @Test
    void theSeriesBudgetHoldsWhateverTheNumberOfSites() {
        PrometheusMeterRegistry registry = registry();
        ContentionMetrics metrics = new ContentionMetrics(100, 500);
        metrics.bindTo(registry);
        int otherMeters = 49; // what the rest of the endpoint serves, besides this binder's counters
        metrics.budget(MetricsAgent.countSeries(registry.scrape()) + otherMeters);
        for (int i = 0; i < 10_000; i++) {
            metrics.record(WaitKind.values()[i % WaitKind.values().length], "com.acme.Lock" + (i % 7), "com.acme.Site.m:" + i, 20_000_000);
        }
        int series = MetricsAgent.countSeries(registry.scrape());
        assertTrue(series + otherMeters <= 500, "series " + series);
        double counted = 0;
        for (Timer t : registry.find("lockwatch.wait").timers()) counted += t.count();
        assertEquals(10_000, counted, "folding loses no sample");
        assertEquals(10_000, metrics.recorded());
    }

    @Test
    void maxSitesCapsDistinctSitesAndTheRestIsOther() {
        PrometheusMeterRegistry registry = registry();
        ContentionMetrics metrics = new ContentionMetrics(3, 1_000_000);
        metrics.bindTo(registry);
        metrics.budget(0);
        for (int i = 0; i < 50; i++) metrics.record(WaitKind.MONITOR, "java.lang.Object", "a.B.c:" + i, 1);
        Set<String> sites = new HashSet<>();
        for (Timer t : registry.find("lockwatch.wait").timers()) sites.add(t.getId().getTag("site"));
        assertEquals(Set.of("a.B.c:0", "a.B.c:1", "a.B.c:2", "other"), sites);
        Timer other = registry.find("lockwatch.wait").tag("site", "other").timer();
        assertEquals(47, other.count());
        assertEquals(50, registry.find("lockwatch.contended.waits").tag("kind", "monitor").counter().count());
    }

    @Test
    void bucketsAreTheContractsExplicitOnes() {
        PrometheusMeterRegistry registry = registry();
        ContentionMetrics metrics = new ContentionMetrics(100, 500);
        metrics.bindTo(registry);
        metrics.record(WaitKind.LATCH, "java.util.concurrent.CountDownLatch", "a.B.c:1", TimeUnit.MILLISECONDS.toNanos(30));
        String scrape = registry.scrape();
        int buckets = 0;
        for (String line : scrape.split("\n")) if (line.startsWith("lockwatch_wait_seconds_bucket")) buckets++;
        assertEquals(11, buckets, scrape);
        assertTrue(scrape.contains("le=\"0.01\"} 0"), scrape);
        assertTrue(scrape.contains("le=\"0.05\"} 1"), scrape);
        assertEquals(14, ContentionMetrics.SERIES_PER_HISTOGRAM);
    }
}
