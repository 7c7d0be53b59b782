package io.lockwatch.agent.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Contended waits: {@code lockwatch_contended_waits_total{kind}} (one series per kind, at zero from the
 * start) and the {@code lockwatch_wait_seconds} histogram by kind, lock class and code site.
 *
 * <p>Cardinality is bounded three ways, so a service with thousands of lock sites stays cheap to scrape:
 * at most {@code max-sites} distinct {@code site} values and as many {@code lock_class} values (the rest
 * become {@code "other"}), and at most as many histograms as fit in the {@code max-series} budget; past
 * that, a wait goes to the {@code lock_class="other", site="other"} histogram of its kind. Those eleven
 * fold-over histograms are reserved in the budget up front. Only the event thread calls {@link #record}.
 */
final class ContentionMetrics implements MeterBinder {
    static final String OTHER = "other";
    /** The explicit buckets of the contract, in seconds. */
    static final Duration[] BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30)
    };
    /** What one histogram costs in series: its buckets, +Inf, _count, _sum and _max. */
    static final int SERIES_PER_HISTOGRAM = BUCKETS.length + 4;

    private final int maxSites;
    private final int maxSeries;
    private final Map<WaitKind, Counter> waits = new EnumMap<>(WaitKind.class);
    private final Map<String, Timer> histograms = new HashMap<>();
    private final Set<String> sites = new HashSet<>();
    private final Set<String> lockClasses = new HashSet<>();
    private final AtomicLong recorded = new AtomicLong();
    private MeterRegistry registry;
    private int histogramBudget = 1;
    private int namedHistograms;

    ContentionMetrics(int maxSites, int maxSeries) {
        this.maxSites = maxSites;
        this.maxSeries = maxSeries;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        for (WaitKind kind : WaitKind.values()) {
            waits.put(kind, Counter.builder("lockwatch.contended.waits")
                    .description("Waits that blocked at least contention-threshold, by primitive kind")
                    .tag("kind", kind.tag)
                    .register(registry));
        }
    }

    /**
     * Sets how many named histograms fit: the series budget, less what the rest of the endpoint already
     * serves and the fold-over histograms kept in reserve. At least one, whatever the budget.
     */
    void budget(int seriesServedWithoutHistograms) {
        int reserve = WaitKind.values().length * SERIES_PER_HISTOGRAM;
        histogramBudget = Math.max(1, (maxSeries - seriesServedWithoutHistograms - reserve) / SERIES_PER_HISTOGRAM);
    }

    int histogramBudget() {
        return histogramBudget;
    }

    long recorded() {
        return recorded.get();
    }

    void record(WaitKind kind, String lockClass, String site, long nanos) {
        waits.get(kind).increment();
        String classTag = capped(lockClasses, lockClass == null ? "unknown" : lockClass);
        String siteTag = capped(sites, site == null ? "unknown" : site);
        String key = kind.tag + '\n' + classTag + '\n' + siteTag;
        Timer timer = histograms.get(key);
        if (timer == null) {
            if (namedHistograms < histogramBudget) {
                namedHistograms++;
                timer = histogram(kind, classTag, siteTag);
                histograms.put(key, timer);
            } else {
                String fold = kind.tag + '\n' + OTHER + '\n' + OTHER;
                timer = histograms.get(fold);
                if (timer == null) {
                    timer = histogram(kind, OTHER, OTHER);
                    histograms.put(fold, timer);
                }
            }
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
        recorded.incrementAndGet();
    }

    private String capped(Set<String> seen, String value) {
        if (seen.contains(value)) return value;
        if (seen.size() >= maxSites) return OTHER;
        seen.add(value);
        return value;
    }

    private Timer histogram(WaitKind kind, String lockClass, String site) {
        return Timer.builder("lockwatch.wait")
                .description("Time threads waited on contended locks and synchronizers")
                .tag("kind", kind.tag)
                .tag("lock_class", lockClass)
                .tag("site", site)
                .serviceLevelObjectives(BUCKETS)
                .publishPercentileHistogram(false)
                .register(registry);
    }
}
