package io.lockwatch.agent.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code jvm_threads_deadlocked_threads} and {@code jvm_threads_deadlocked_monitor_threads}, the gauges
 * community alert rules are written against. {@code findDeadlockedThreads} stops the JVM at a safepoint,
 * so it runs on our own schedule ({@link #refresh}, every {@link #PERIOD_MILLIS}) and a scrape only reads
 * the cached counts: any number of scrapers cost the application nothing more.
 */
final class DeadlockedThreads implements MeterBinder {
    static final long PERIOD_MILLIS = 5_000;

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final AtomicInteger deadlocked = new AtomicInteger();
    private final AtomicInteger monitorDeadlocked = new AtomicInteger();

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("jvm.threads.deadlocked", deadlocked, AtomicInteger::get)
                .description("Threads in a deadlock on monitors or ownable synchronizers (checked every 5s)")
                .baseUnit("threads").register(registry);
        Gauge.builder("jvm.threads.deadlocked.monitor", monitorDeadlocked, AtomicInteger::get)
                .description("Threads in a deadlock on monitors (checked every 5s)")
                .baseUnit("threads").register(registry);
    }

    /** Called by our own poller thread only. */
    void refresh() {
        long[] all = threads.isSynchronizerUsageSupported() ? threads.findDeadlockedThreads() : null;
        long[] monitors = threads.findMonitorDeadlockedThreads();
        monitorDeadlocked.set(monitors == null ? 0 : monitors.length);
        deadlocked.set(all == null ? monitorDeadlocked.get() : all.length);
    }
}
