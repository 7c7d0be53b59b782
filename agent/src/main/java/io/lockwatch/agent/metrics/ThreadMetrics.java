package io.lockwatch.agent.metrics;

import io.lockwatch.runtime.stats.AgentStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Our own thread meters ({@code lockwatch_threads_*}): the JVM's counts next to the one only lockwatch
 * knows, threads stuck longer than the stall threshold (set by the hang detector).
 */
final class ThreadMetrics implements MeterBinder {
    @Override
    public void bindTo(MeterRegistry registry) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        FunctionCounter.builder("lockwatch.threads.started", threads, ThreadMXBean::getTotalStartedThreadCount)
                .description("Threads started since the JVM started").register(registry);
        Gauge.builder("lockwatch.threads.alive", threads, ThreadMXBean::getThreadCount)
                .description("Threads alive now").register(registry);
        Gauge.builder("lockwatch.threads.daemon", threads, ThreadMXBean::getDaemonThreadCount)
                .description("Daemon threads alive now").register(registry);
        Gauge.builder("lockwatch.threads.peak", threads, ThreadMXBean::getPeakThreadCount)
                .description("Most threads alive at once since the JVM started").register(registry);
        Gauge.builder("lockwatch.threads.stuck", AgentStats.threadsStuckNow, Number::doubleValue)
                .description("Threads blocked or waiting longer than stall-threshold now").register(registry);
    }
}
