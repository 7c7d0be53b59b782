package io.lockwatch.agent.metrics;

import io.lockwatch.runtime.stats.AgentStats;
import io.lockwatch.runtime.util.PlatformThreads;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The thread meters: Micrometer's standard {@code jvm_threads_*} and our own {@code lockwatch_threads_*}, the
 * JVM's counts next to the one only lockwatch knows, threads stuck longer than the stall threshold (set by
 * the hang detector).
 *
 * <p>The {@code jvm_threads_*} meters have the names, tags and help texts of Micrometer's
 * {@code JvmThreadMetrics}, which we do not bind: its {@code jvm_threads_states} gauges ask
 * {@code ThreadMXBean.getThreadInfo} about every thread, six times a scrape, and on HotSpot 25 (before the fix
 * of JDK-8392031, see {@link PlatformThreads}) that call can crash the JVM while virtual threads mount on their
 * carriers. Ours count
 * once a scrape, on those JDKs from {@code Thread.getState}, which asks the JVM for nothing
 * ({@link PlatformThreads#countByState}).
 */
final class ThreadMetrics implements MeterBinder {
    @Override
    public void bindTo(MeterRegistry registry) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Gauge.builder("jvm.threads.peak", threads, ThreadMXBean::getPeakThreadCount)
                .description("The peak live thread count since the Java virtual machine started or peak was reset")
                .baseUnit("threads").register(registry);
        Gauge.builder("jvm.threads.daemon", threads, ThreadMXBean::getDaemonThreadCount)
                .description("The current number of live daemon threads").baseUnit("threads").register(registry);
        Gauge.builder("jvm.threads.live", threads, ThreadMXBean::getThreadCount)
                .description("The current number of live threads including both daemon and non-daemon threads")
                .baseUnit("threads").register(registry);
        FunctionCounter.builder("jvm.threads.started", threads, ThreadMXBean::getTotalStartedThreadCount)
                .description("The total number of application threads started in the JVM")
                .baseUnit("threads").register(registry);
        StateCounts states = new StateCounts(threads);
        for (Thread.State state : Thread.State.values()) {
            Gauge.builder("jvm.threads.states", states, s -> s.count(state))
                    .tag("state", state.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .description("The current number of threads").baseUnit("threads")
                    .strongReference(true) // nothing else holds the counts: weakly held, they read NaN after a GC
                    .register(registry);
        }

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

    /**
     * Platform threads by state, counted once for the six gauges of one scrape (so that they add up to the
     * threads alive then) and again for the next scrape.
     */
    private static final class StateCounts {
        private static final long REUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

        private final ThreadMXBean threads;
        private volatile long[] counts;
        private volatile long countedAt;

        StateCounts(ThreadMXBean threads) {
            this.threads = threads;
        }

        double count(Thread.State state) {
            long[] c = counts;
            long now = System.nanoTime();
            if (c == null || now - countedAt > REUSE_NANOS) {
                c = PlatformThreads.countByState(threads);
                counts = c;
                countedAt = now;
            }
            return c[state.ordinal()];
        }
    }
}
