package io.lockwatch.runtime.stats;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The numbers every part of lockwatch publishes, in one place: the report's {@code stats}, the metrics
 * endpoint and the dashboards all read them from here. Counters only grow; gauges are set by whoever
 * measures them.
 */
public final class AgentStats {
    private AgentStats() {}

    // ---- instrumentation ----
    public static final AtomicLong classesInstrumented = new AtomicLong();
    public static final AtomicLong classesRetransformed = new AtomicLong();
    /** Classes loaded before the agent that were asked to be retransformed (those that may take a lock). */
    public static final AtomicLong classesRetransformRequested = new AtomicLong();
    /**
     * Early JDK classes that take a lock but were not in the agent's list for this JDK: found after premain
     * by the agent's late check and retransformed then (0 on the JDK builds the lists were made from).
     */
    public static final AtomicLong classesFoundLate = new AtomicLong();
    /** Classes that run unchanged because they could not be instrumented, and single methods (below). */
    public static final AtomicLong instrumentationErrors = new AtomicLong();
    /** Methods too large to instrument, left as they are in classes whose other methods are instrumented. */
    public static final AtomicLong methodsUninstrumented = new AtomicLong();
    /** How long premain took, and the part of it spent transforming classes loaded before the agent. */
    public static final AtomicLong startupNanos = new AtomicLong();
    public static final AtomicLong retransformNanos = new AtomicLong();

    // ---- findings ----
    public static final AtomicLong potentialDeadlocks = new AtomicLong();
    public static final AtomicLong deadlocks = new AtomicLong();

    /** Hazard kinds, as they appear in the report ({@code kind}) and in metric tags. */
    public enum Hazard {
        STALL("stall"), SELF_JOIN("self_join"), DEAD_OWNER("dead_owner"), DOUBLE_START("double_start"),
        POOL_STARVATION("pool_starvation"), CLASS_INIT_STALL("class_init_stall"), LONG_HOLD("long_hold"),
        SELF_DEADLOCK("self_deadlock"), SELF_WAIT("self_wait");

        public final String tag;

        Hazard(String tag) {
            this.tag = tag;
        }
    }

    private static final AtomicLongArray HAZARDS = new AtomicLongArray(Hazard.values().length);

    public static void hazardFound(Hazard kind) {
        HAZARDS.incrementAndGet(kind.ordinal());
    }

    public static long hazards(Hazard kind) {
        return HAZARDS.get(kind.ordinal());
    }

    // ---- gauges set by the hang detector ----
    /** Threads that are in a deadlock right now. */
    public static final AtomicLong threadsDeadlockedNow = new AtomicLong();
    /** Threads blocked or waiting longer than the stall threshold right now. */
    public static final AtomicLong threadsStuckNow = new AtomicLong();
    /** Hang checks done (thread snapshots taken), and the time they took in nanoseconds. */
    public static final AtomicLong hangChecks = new AtomicLong();
    public static final AtomicLong hangCheckNanos = new AtomicLong();
    /**
     * The JVM's thread dumps taken to tell which class each still thread in a static initializer waits for
     * (each one a safepoint; only when two or more such threads have stood still past the threshold).
     */
    public static final AtomicLong classInitThreadDumps = new AtomicLong();
    /** Deadlocks and hazards not reported because of the caps on findings. */
    public static final AtomicLong hangFindingsDropped = new AtomicLong();

    // ---- the detector's own health ----
    /** Wall-clock time of the detector's last completed pass, in milliseconds since the epoch. */
    public static final AtomicLong detectorLastRunMillis = new AtomicLong();
    /** Total time the detector spent working, in nanoseconds. */
    public static final AtomicLong detectionNanos = new AtomicLong();
    public static final AtomicLong detectionRuns = new AtomicLong();
}
