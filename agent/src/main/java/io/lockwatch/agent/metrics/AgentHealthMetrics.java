package io.lockwatch.agent.metrics;

import io.lockwatch.runtime.Lockwatch;
import io.lockwatch.runtime.graph.LockOrderGraph;
import io.lockwatch.runtime.graph.SegmentGraph;
import io.lockwatch.runtime.report.Report;
import io.lockwatch.runtime.stats.AgentStats;
import io.lockwatch.runtime.util.InternalErrors;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * lockwatch's own health: what it instrumented, what it tracks, what it had to drop, what detection costs.
 * Micrometer holds the objects behind function meters weakly, so each meter reads from a class or a
 * static field that lives as long as the JVM.
 */
final class AgentHealthMetrics implements MeterBinder {
    private final AtomicLong eventsDropped;

    AgentHealthMetrics(AtomicLong eventsDropped) {
        this.eventsDropped = eventsDropped;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        // A constant 1 whose label says which lockwatch runs, as Prometheus's own *_build_info: which services
        // of a fleet run which version, and which run lockwatch at all.
        Report report = Lockwatch.report();
        Gauge.builder("lockwatch.build.info", () -> 1).tag("version", report == null ? "unknown" : report.agentVersion())
                .description("1, labelled with the version of lockwatch that runs in this JVM").register(registry);
        FunctionCounter.builder("lockwatch.classes.instrumented", AgentStats.classesInstrumented, AtomicLong::get)
                .description("Classes lockwatch instrumented (loaded or retransformed)").register(registry);
        FunctionCounter.builder("lockwatch.instrumentation.errors", AgentStats.instrumentationErrors, AtomicLong::get)
                .description("Classes lockwatch could not instrument (they run unchanged), and single methods too large to instrument").register(registry);
        Gauge.builder("lockwatch.locks.tracked", Lockwatch.class, m -> graphValue(LockOrderGraph::locksTracked))
                .description("Live locks in the lock-order graph").register(registry);
        Gauge.builder("lockwatch.edges", Lockwatch.class, m -> graphValue(LockOrderGraph::edges))
                .description("Edges in the lock-order graph").register(registry);
        Gauge.builder("lockwatch.locks.cap", Lockwatch.class, m -> graphValue(LockOrderGraph::locksCap))
                .description("Most locks (and edges) the graph tracks at once; lower in a heap under 1 GiB").register(registry);
        dropped(registry, "locks", Lockwatch.class, m -> graphValue(LockOrderGraph::locksDropped));
        // A full graph forgets the live locks not looked up for longest to make room: their history is gone.
        dropped(registry, "locks_evicted", Lockwatch.class, m -> graphValue(LockOrderGraph::locksEvicted));
        dropped(registry, "edges", Lockwatch.class, m -> graphValue(LockOrderGraph::edgesDropped));
        dropped(registry, "occurrences", Lockwatch.class, m -> graphValue(LockOrderGraph::occurrencesDropped));
        dropped(registry, "events", eventsDropped, AtomicLong::get);
        // Happens-before segments older than the window: their ordering is forgotten (at worst a false alarm).
        dropped(registry, "segments", SegmentGraph.dropped, AtomicLong::get);
        FunctionCounter.builder("lockwatch.internal.errors", InternalErrors.class, m -> InternalErrors.count())
                .description("Failures inside lockwatch (counted, logged once per place, never thrown)").register(registry);
        Gauge.builder("lockwatch.tracking.stopped", InternalErrors.class, m -> InternalErrors.isTrackingStopped() ? 1 : 0)
                .description("1 once lockwatch stopped tracking locks because failures inside it recurred (the report says why)")
                .register(registry);
        FunctionCounter.builder("lockwatch.detection", AgentStats.detectionNanos, n -> n.get() / 1e9)
                .description("Time the detector spent searching for deadlocks").baseUnit("seconds").register(registry);
        // Each a safepoint: the only way the hang detector stops the JVM other than for a finding's stacks.
        FunctionCounter.builder("lockwatch.thread.dumps", AgentStats.classInitThreadDumps, AtomicLong::get)
                .description("Thread dumps the hang detector asked the JVM for, to tell a deadlock in static initializers"
                        + " (each stops the JVM at a safepoint)").register(registry);
        Gauge.builder("lockwatch.detector.last.run.timestamp", AgentStats.detectorLastRunMillis, ms -> ms.get() / 1000.0)
                .description("When the detector last completed a pass, seconds since the epoch")
                .baseUnit("seconds").register(registry);
    }

    private static <T> void dropped(MeterRegistry registry, String what, T source, java.util.function.ToDoubleFunction<T> f) {
        FunctionCounter.builder("lockwatch.dropped", source, f)
                .description("What lockwatch dropped because a cap was reached or it could not be read")
                .tag("what", what).register(registry);
    }

    private static double graphValue(ToLongFunction<LockOrderGraph> f) {
        LockOrderGraph graph = Lockwatch.graph();
        return graph == null ? 0 : f.applyAsLong(graph);
    }
}
