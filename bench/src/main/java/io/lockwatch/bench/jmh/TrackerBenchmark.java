package io.lockwatch.bench.jmh;

import io.lockwatch.runtime.graph.LockOrderGraph;
import io.lockwatch.runtime.track.CallSites;
import io.lockwatch.runtime.track.LockTracker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The acquisition hot path, called directly the way instrumented code calls it, next to the same
 * locking without lockwatch. Every edge here is known after the first iteration, so this is the
 * steady state of a service: the known-edge fast path.
 *
 * <p>{@code tracked*} mirror what the instrumentation emits: {@code monitorEnter} before each
 * {@code monitorenter}, {@code monitorExit} before each {@code monitorexit}; {@code LockTracker.lock/unlock}
 * in place of {@code Lock.lock/unlock}; each passing on the thread's state, as the method-local variable
 * the instrumentation adds does.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class TrackerBenchmark {
    // Two sites, as the instrumentation registers them: the nested-pair memo is keyed by them.
    private static final int SITE_OUTER = CallSites.register("io.lockwatch.bench.jmh.TrackerBenchmark", "outer", "TrackerBenchmark.java", 1);
    private static final int SITE_INNER = CallSites.register("io.lockwatch.bench.jmh.TrackerBenchmark", "inner", "TrackerBenchmark.java", 2);
    // The locks' own sites, as in a real method: with the monitors' sites the two nested pairs of one issue
    // iteration would share a memo slot and push each other out on every iteration (a full check each time).
    private static final int SITE_LOCK_OUTER = CallSites.register("io.lockwatch.bench.jmh.TrackerBenchmark", "lockOuter", "TrackerBenchmark.java", 3);
    private static final int SITE_LOCK_INNER = CallSites.register("io.lockwatch.bench.jmh.TrackerBenchmark", "lockInner", "TrackerBenchmark.java", 4);

    private static final int SITE_MIDDLE = CallSites.register("io.lockwatch.bench.jmh.TrackerBenchmark", "middle", "TrackerBenchmark.java", 5);

    final Object outerMonitor = new Object();
    final Object middleMonitor = new Object();
    final Object innerMonitor = new Object();
    final ReentrantLock outerLock = new ReentrantLock();
    final ReentrantLock innerLock = new ReentrantLock();
    int counter;

    @Setup(Level.Trial)
    public void startTracker() {
        TrackerSetup.start();
        // A service's locks and its threads' states are old, and G1's write barrier costs more on stores into
        // old objects than into young ones (twenty-first round). So the state of this thread (the benchmark's:
        // JMH runs a thread-scoped setup on it) is made now, and a full collection promotes it and the locks.
        LockTracker.threadState(null);
        System.gc();
    }

    @Benchmark
    public int baselineMonitorsNested2() {
        synchronized (outerMonitor) {
            synchronized (innerMonitor) {
                return ++counter;
            }
        }
    }

    // The tracked variants call exactly what instrumented code calls, including the thread's state that the
    // instrumentation keeps in a local variable between the lock sites of one method invocation.

    @Benchmark
    public int trackedMonitorsNested2() {
        Object state = LockTracker.monitorEnter(outerMonitor, SITE_OUTER, null);
        synchronized (outerMonitor) {
            state = LockTracker.monitorEnter(innerMonitor, SITE_INNER, state);
            synchronized (innerMonitor) {
                int result = ++counter;
                LockTracker.monitorExit(innerMonitor, state);
                LockTracker.monitorExit(outerMonitor, state);
                return result;
            }
        }
    }

    @Benchmark
    public int baselineMonitorsNested3() {
        synchronized (outerMonitor) {
            synchronized (middleMonitor) {
                synchronized (innerMonitor) {
                    return ++counter;
                }
            }
        }
    }

    /** A lock taken with two held: H2 takes a map's bins inside its connection's and its session's locks. */
    @Benchmark
    public int trackedMonitorsNested3() {
        Object state = LockTracker.monitorEnter(outerMonitor, SITE_OUTER, null);
        synchronized (outerMonitor) {
            state = LockTracker.monitorEnter(middleMonitor, SITE_MIDDLE, state);
            synchronized (middleMonitor) {
                state = LockTracker.monitorEnter(innerMonitor, SITE_INNER, state);
                synchronized (innerMonitor) {
                    int result = ++counter;
                    LockTracker.monitorExit(innerMonitor, state);
                    LockTracker.monitorExit(middleMonitor, state);
                    LockTracker.monitorExit(outerMonitor, state);
                    return result;
                }
            }
        }
    }

    /**
     * A leaf critical section (nothing called inside it: see LeafSections in the agent), as the
     * instrumentation calls it: the order check only, no push; the release finds nothing to pop.
     */
    @Benchmark
    public int trackedMonitorSingleLeaf() {
        Object state = LockTracker.threadState(null);
        LockTracker.leafEntry(state).enter(outerMonitor, SITE_OUTER, state);
        synchronized (outerMonitor) {
            int result = ++counter;
            LockTracker.monitorExit(outerMonitor, state);
            return result;
        }
    }

    /**
     * The issue's nested iteration as the instrumentation emits it since leaf sections: both inner locks
     * (nothing called inside them) are order-checked, not pushed.
     */
    @Benchmark
    public int trackedIssueIterationWithLeaves() {
        int result;
        Object state = LockTracker.monitorEnter(outerMonitor, SITE_OUTER, null);
        synchronized (outerMonitor) {
            state = LockTracker.threadState(state);
            LockTracker.leafEntry(state).enter(innerMonitor, SITE_INNER, state);
            synchronized (innerMonitor) {
                result = ++counter;
                LockTracker.monitorExit(innerMonitor, state);
                LockTracker.monitorExit(outerMonitor, state);
            }
        }
        state = LockTracker.lock(outerLock, SITE_LOCK_OUTER, state);
        try {
            state = LockTracker.leafLock(innerLock, SITE_LOCK_INNER, state);
            try {
                result += ++counter;
            } finally {
                LockTracker.unlock(innerLock, state);
            }
        } finally {
            LockTracker.unlock(outerLock, state);
        }
        return result;
    }

    @Benchmark
    public int baselineMonitorSingle() {
        synchronized (outerMonitor) {
            return ++counter;
        }
    }

    /** The release recorded after {@code monitorexit} instead of before: the alternative placement. */
    @Benchmark
    public int trackedMonitorsNested2ExitAfter() {
        int result;
        Object state = LockTracker.monitorEnter(outerMonitor, SITE_OUTER, null);
        synchronized (outerMonitor) {
            state = LockTracker.monitorEnter(innerMonitor, SITE_INNER, state);
            synchronized (innerMonitor) {
                result = ++counter;
            }
            LockTracker.monitorExit(innerMonitor, state);
        }
        LockTracker.monitorExit(outerMonitor, state);
        return result;
    }

    @Benchmark
    public int trackedMonitorSingle() {
        Object state = LockTracker.monitorEnter(outerMonitor, SITE_OUTER, null);
        synchronized (outerMonitor) {
            int result = ++counter;
            LockTracker.monitorExit(outerMonitor, state);
            return result;
        }
    }

    @Benchmark
    public int baselineLocksNested2() {
        outerLock.lock();
        try {
            innerLock.lock();
            try {
                return ++counter;
            } finally {
                innerLock.unlock();
            }
        } finally {
            outerLock.unlock();
        }
    }

    @Benchmark
    public int trackedLocksNested2() {
        Object state = LockTracker.lock(outerLock, SITE_LOCK_OUTER, null);
        try {
            state = LockTracker.lock(innerLock, SITE_LOCK_INNER, state);
            try {
                return ++counter;
            } finally {
                LockTracker.unlock(innerLock, state);
            }
        } finally {
            LockTracker.unlock(outerLock, state);
        }
    }

    @Benchmark
    public int trackedLockSingle() {
        Object state = LockTracker.lock(outerLock, SITE_LOCK_OUTER, null);
        try {
            return ++counter;
        } finally {
            LockTracker.unlock(outerLock, state);
        }
    }

    @Benchmark
    public int baselineLockSingle() {
        outerLock.lock();
        try {
            return ++counter;
        } finally {
            outerLock.unlock();
        }
    }

    /**
     * A leaf {@code lock()} section with nothing held, as the instrumentation calls it (the contended case's
     * loop, uncontended): a thread that holds nothing has no order to check and nothing to pop.
     */
    @Benchmark
    public int trackedLockSingleLeaf() {
        Object state = LockTracker.leafLock(outerLock, SITE_LOCK_OUTER, null);
        try {
            return ++counter;
        } finally {
            LockTracker.unlock(outerLock, state);
        }
    }

    /** The issue's nested case in one call: two monitors nested, then two locks nested. */
    @Benchmark
    public int baselineIssueIteration() {
        return baselineMonitorsNested2() + baselineLocksNested2();
    }

    @Benchmark
    public int trackedIssueIteration() {
        return trackedMonitorsNested2() + trackedLocksNested2();
    }

    /**
     * The least that any tracker of held locks must do, written inline for the JIT to see whole: per
     * acquisition, store the lock in a per-thread stack and (when another lock is held) compare the pair
     * with the one known last; per release, compare the top and drop it. No re-entry count, no sites, no
     * graph, no calls, no failure handling: a floor for the issue's nested case, not a design (see PERFORMANCE-ROUNDS.md,
     * "Why the remaining targets are not met").
     */
    static final class FloorState {
        final Object[] held = new Object[8];
        int size;
        Object knownOuter;
        Object knownInner;
        long unknownPairs;

        void acquire(Object lock) {
            if (size > 0 && (held[size - 1] != knownOuter || lock != knownInner)) {
                unknownPairs++;
                knownOuter = held[size - 1];
                knownInner = lock;
            }
            held[size++] = lock;
        }

        void release(Object lock) {
            if (size > 0 && held[size - 1] == lock) size--;
        }
    }

    private static final FloorState[] FLOOR_BY_ID = new FloorState[1024];

    /** The per-thread state, found the way LockTracker finds it: by thread id, checked against the thread. */
    private static FloorState floorState() {
        int slot = (int) Thread.currentThread().getId() & (FLOOR_BY_ID.length - 1);
        FloorState state = FLOOR_BY_ID[slot];
        if (state == null) FLOOR_BY_ID[slot] = state = new FloorState();
        return state;
    }

    @Benchmark
    public int floorIssueIteration() {
        FloorState t = floorState();
        int result;
        t.acquire(outerMonitor);
        synchronized (outerMonitor) {
            t.acquire(innerMonitor);
            synchronized (innerMonitor) {
                result = ++counter;
                t.release(innerMonitor);
            }
            t.release(outerMonitor);
        }
        t.acquire(outerLock);
        outerLock.lock();
        try {
            t.acquire(innerLock);
            innerLock.lock();
            try {
                result += ++counter;
            } finally {
                innerLock.unlock();
                t.release(innerLock);
            }
        } finally {
            outerLock.unlock();
            t.release(outerLock);
        }
        return result;
    }
}
