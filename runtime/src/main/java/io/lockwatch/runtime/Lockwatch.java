package io.lockwatch.runtime;

import io.lockwatch.runtime.config.Options;
import io.lockwatch.runtime.graph.LockOrderGraph;
import io.lockwatch.runtime.graph.SegmentGraph;
import io.lockwatch.runtime.hang.HangDetector;
import io.lockwatch.runtime.report.Report;
import io.lockwatch.runtime.stats.AgentStats;
import io.lockwatch.runtime.track.LockTracker;
import io.lockwatch.runtime.track.ThreadCalls;
import io.lockwatch.runtime.track.ThreadRegistry;
import io.lockwatch.runtime.util.InternalErrors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Starts and stops the runtime: the lock-order graph, the hang detector, the one detector thread that
 * runs both, and the report. The agent calls {@link #start} once from {@code premain}, after the instrumentation is ready.
 */
public final class Lockwatch {
    /** How often the detector looks at new edges when nobody wakes it. */
    private static final long DETECTOR_PERIOD_MILLIS = 200;
    /** How often collected locks are cleaned out of the graph. */
    private static final long CLEAN_PERIOD_MILLIS = 2_000;
    /** Longest the shutdown hook spends on its last hang check: exit must never hang on us. */
    private static final long FINAL_CHECK_MILLIS = 2_000;

    private static volatile Report report;
    private static volatile LockOrderGraph graph;

    private Lockwatch() {}

    public static Report report() {
        return report;
    }

    public static LockOrderGraph graph() {
        return graph;
    }

    public static synchronized void start(Options options, String version, long pid) {
        Report newReport = new Report(options, version, pid);
        LockOrderGraph lockGraph = new LockOrderGraph(finding -> {
            AgentStats.potentialDeadlocks.incrementAndGet();
            newReport.addPotentialDeadlock(finding);
        });
        newReport.statsFrom(json -> {
            lockGraph.writeStats(json);
            json.field("stacksCaptured", LockTracker.stacksCaptured());
            json.field("segmentsDropped", SegmentGraph.dropped.get());
            json.field("heldLocksOverflow", LockTracker.heldOverflowCount());
            json.field("classesInstrumented", AgentStats.classesInstrumented.get());
            json.field("classesRetransformed", AgentStats.classesRetransformed.get());
            json.field("instrumentationErrors", AgentStats.instrumentationErrors.get());
            json.field("threadsDeadlockedNow", AgentStats.threadsDeadlockedNow.get());
            json.field("threadsStuckNow", AgentStats.threadsStuckNow.get());
            json.field("hangChecks", AgentStats.hangChecks.get());
            json.field("hangCheckNanos", AgentStats.hangCheckNanos.get());
            json.field("hangFindingsDropped", AgentStats.hangFindingsDropped.get() + ThreadCalls.dropped());
            json.field("threadsUnwatched", ThreadRegistry.dropped());
            json.field("startupMillis", AgentStats.startupNanos.get() / 1_000_000);
            json.field("retransformMillis", AgentStats.retransformNanos.get() / 1_000_000);
        });
        report = newReport;
        graph = lockGraph;
        HangDetector hangs = new HangDetector(newReport, options.stallThresholdMillis(), options.stackDepth());

        Thread detector = new Thread(() -> runDetector(lockGraph, newReport, hangs), "lockwatch-detector");
        detector.setDaemon(true);
        hangs.ownThread(detector);
        lockGraph.onChange(() -> LockSupport.unpark(detector));
        hangs.wakeUpWith(() -> LockSupport.unpark(detector));

        // The exit path needs no lock an application thread could hold: the graph and the report are
        // ours, and the last hang check runs bounded in time on a thread of its own.
        Thread finalWrite = new Thread(() -> {
            LockTracker.ignoreCurrentThread();
            try {
                lockGraph.detect();
                hangs.finalCheck(FINAL_CHECK_MILLIS);
            } catch (Throwable e) {
                InternalErrors.record("shutdown", e);
            }
            newReport.write();
        }, "lockwatch-shutdown");
        hangs.ownThread(finalWrite);

        if (!newReport.write()) {
            // Already said on stderr by the report; kept here so the options block shows it too.
            options.addProblem("report path " + newReport.path() + " is not writable");
        }
        LockTracker.start(lockGraph, options.stackDepth());
        ThreadCalls.start(hangs);
        detector.start();
        Runtime.getRuntime().addShutdownHook(finalWrite);
    }

    private static void runDetector(LockOrderGraph graph, Report report, HangDetector hangs) {
        LockTracker.ignoreCurrentThread();
        long nextClean = System.nanoTime();
        while (true) {
            try {
                LockSupport.parkNanos(Math.min(TimeUnit.MILLISECONDS.toNanos(DETECTOR_PERIOD_MILLIS),
                        Math.max(1, hangs.nanosUntilDue())));
                long started = System.nanoTime();
                graph.expungeCollected();
                graph.detect();
                if (System.nanoTime() - nextClean >= 0) {
                    graph.clean();
                    nextClean = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLEAN_PERIOD_MILLIS);
                }
                hangs.runDue();
                report.writeIfChanged();
                AgentStats.detectionNanos.addAndGet(System.nanoTime() - started);
                AgentStats.detectionRuns.incrementAndGet();
                AgentStats.detectorLastRunMillis.set(System.currentTimeMillis());
            } catch (Throwable e) {
                InternalErrors.record("detector", e);
            }
        }
    }
}
