package io.lockwatch.agent.metrics;

import io.lockwatch.runtime.stats.AgentStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.atomic.AtomicLong;

/** What lockwatch found: potential deadlocks, deadlocks, threads deadlocked now, hazards by kind. */
final class FindingMetrics implements MeterBinder {
    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("lockwatch.potential.deadlocks", AgentStats.potentialDeadlocks, AtomicLong::get)
                .description("Lock-order inversions found (each distinct cycle once)").register(registry);
        FunctionCounter.builder("lockwatch.deadlocks", AgentStats.deadlocks, AtomicLong::get)
                .description("Deadlocks that really happened").register(registry);
        Gauge.builder("lockwatch.deadlocked.threads", AgentStats.threadsDeadlockedNow, AtomicLong::get)
                .description("Threads in a deadlock now, as the hang detector sees it").register(registry);
        for (AgentStats.Hazard hazard : AgentStats.Hazard.values()) {
            FunctionCounter.builder("lockwatch.hazards", hazard, AgentStats::hazards)
                    .description("Hazards found: stalls, self-joins, locks held by dead threads, threads started twice, starved thread pools")
                    .tag("kind", hazard.tag).register(registry);
        }
    }
}
