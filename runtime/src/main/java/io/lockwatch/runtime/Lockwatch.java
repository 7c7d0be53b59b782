package io.lockwatch.runtime;

import io.lockwatch.runtime.config.Options;
import io.lockwatch.runtime.graph.LockOrderGraph;
import io.lockwatch.runtime.graph.SegmentGraph;
import io.lockwatch.runtime.hang.HangDetector;
import io.lockwatch.runtime.report.JsonWriter;
import io.lockwatch.runtime.report.PotentialDeadlock;
import io.lockwatch.runtime.report.Report;
import io.lockwatch.runtime.stats.AgentStats;
import io.lockwatch.runtime.track.LockTracker;
import io.lockwatch.runtime.track.ThreadCalls;
import io.lockwatch.runtime.track.ThreadRegistry;
import io.lockwatch.runtime.util.InternalErrors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

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
        // Called from premain, before the application's main: no lambdas here (each one costs the JVM a
        // class spun at run time), and the first report write happens on the detector thread, on its first pass.
        Report newReport = new Report(options, version, pid);
        LockOrderGraph lockGraph = new LockOrderGraph(new Findings(newReport));
        newReport.statsFrom(new Stats(lockGraph));
        report = newReport;
        graph = lockGraph;
        HangDetector hangs = new HangDetector(newReport, options.stallThresholdMillis(), options.stackDepth());

        Thread detector = new Thread(new DetectorRun(lockGraph, newReport, hangs, false), "lockwatch-detector");
        detector.setDaemon(true);
        hangs.ownThread(detector);
        Runnable wakeDetector = new Unpark(detector);
        lockGraph.onChange(wakeDetector);
        hangs.wakeUpWith(wakeDetector);

        // The exit path needs no lock an application thread could hold: the graph and the report are
        // ours, and the last hang check runs bounded in time on a thread of its own.
        Thread finalWrite = new Thread(new DetectorRun(lockGraph, newReport, hangs, true), "lockwatch-shutdown");
        hangs.ownThread(finalWrite);

        newReport.renderOnce();
        LockTracker.start(lockGraph, options.stackDepth());
        ThreadCalls.start(hangs);
        detector.start();
        Runtime.getRuntime().addShutdownHook(finalWrite);
    }

    /** New potential deadlocks go into the report. */
    private static final class Findings implements Consumer<PotentialDeadlock> {
        private final Report report;

        Findings(Report report) {
            this.report = report;
        }

        @Override
        public void accept(PotentialDeadlock finding) {
            AgentStats.potentialDeadlocks.incrementAndGet();
            report.addPotentialDeadlock(finding);
        }
    }

    /** The report's {@code stats} object. */
    private static final class Stats implements Consumer<JsonWriter> {
        private final LockOrderGraph graph;

        Stats(LockOrderGraph graph) {
            this.graph = graph;
        }

        @Override
        public void accept(JsonWriter json) {
            graph.writeStats(json);
            json.field("stacksCaptured", LockTracker.stacksCaptured());
            json.field("segmentsDropped", SegmentGraph.dropped.get());
            json.field("heldLocksOverflow", LockTracker.heldOverflowCount());
            json.field("classesInstrumented", AgentStats.classesInstrumented.get());
            json.field("classesRetransformed", AgentStats.classesRetransformed.get());
            json.field("classesRetransformRequested", AgentStats.classesRetransformRequested.get());
            json.field("classesFoundLate", AgentStats.classesFoundLate.get());
            json.field("instrumentationErrors", AgentStats.instrumentationErrors.get());
            json.field("methodsUninstrumented", AgentStats.methodsUninstrumented.get());
            json.field("threadsDeadlockedNow", AgentStats.threadsDeadlockedNow.get());
            json.field("threadsStuckNow", AgentStats.threadsStuckNow.get());
            json.field("hangChecks", AgentStats.hangChecks.get());
            json.field("hangCheckNanos", AgentStats.hangCheckNanos.get());
            json.field("classInitThreadDumps", AgentStats.classInitThreadDumps.get());
            json.field("hangFindingsDropped", AgentStats.hangFindingsDropped.get() + ThreadCalls.dropped());
            json.field("threadsUnwatched", ThreadRegistry.dropped());
            json.field("startupMillis", AgentStats.startupNanos.get() / 1_000_000);
            json.field("retransformMillis", AgentStats.retransformNanos.get() / 1_000_000);
        }
    }

    private static final class Unpark implements Runnable {
        private final Thread thread;

        Unpark(Thread thread) {
            this.thread = thread;
        }

        @Override
        public void run() {
            LockSupport.unpark(thread);
        }
    }

    /**
     * The detector thread's loop, or the shutdown hook's last pass and write ({@code atExit}). A named class
     * rather than two lambdas: lambdas would be spun up during premain.
     */
    private static final class DetectorRun implements Runnable {
        private final LockOrderGraph graph;
        private final Report report;
        private final HangDetector hangs;
        private final boolean atExit;

        DetectorRun(LockOrderGraph graph, Report report, HangDetector hangs, boolean atExit) {
            this.graph = graph;
            this.report = report;
            this.hangs = hangs;
            this.atExit = atExit;
        }

        @Override
        public void run() {
            try {
                LockTracker.ignoreCurrentThread();
                if (!atExit) {
                    // The first write comes with the first pass (the report starts out changed), within one
                    // period: not at once, where it would compete with premain for the CPU.
                    runDetector(graph, report, hangs);
                    return;
                }
                try {
                    graph.detect();
                    hangs.finalCheck(FINAL_CHECK_MILLIS);
                } catch (Throwable e) {
                    InternalErrors.record("shutdown", e);
                }
                report.write();
                InternalErrors.printWaitingLines();
            } catch (Throwable e) {
                // The last resort: a thread of ours never dies with a stack trace on the application's stderr
                // (a class of ours that cannot load, which then cannot be counted either).
                recordQuietly(atExit ? "shutdown" : "detector", e);
            }
        }
    }

    private static void recordQuietly(String where, Throwable failure) {
        try {
            InternalErrors.record(where, failure);
        } catch (Throwable ignored) {
            // Nothing left to count with.
        }
    }

    private static void runDetector(LockOrderGraph graph, Report report, HangDetector hangs) {
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
                InternalErrors.printWaitingLines(); // failures recorded on other threads since the last pass
                AgentStats.detectionNanos.addAndGet(System.nanoTime() - started);
                AgentStats.detectionRuns.incrementAndGet();
                AgentStats.detectorLastRunMillis.set(System.currentTimeMillis());
            } catch (Throwable e) {
                InternalErrors.record("detector", e);
            }
        }
    }
}
