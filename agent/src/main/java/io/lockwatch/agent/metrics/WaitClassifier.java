package io.lockwatch.agent.metrics;

import java.util.List;

/**
 * Turns a JDK wait event (its class and stack) into what the metrics need: the primitive kind, the lock
 * class and the code site that waited. Pure functions over plain frames, so they are tested without JFR.
 *
 * <p>The site is the first frame outside the waiting machinery: for a {@code Semaphore.acquire} called by
 * {@code Pool.borrow}, the site is {@code Pool.borrow:42}, not the JDK's internals. For a park, the kind
 * is the outermost primitive on the stack: a {@code CyclicBarrier} parks in a {@code Condition} inside
 * it, and is counted as a barrier.
 */
final class WaitClassifier {
    /** One stack frame, top first. */
    record Frame(String className, String method, int line) {}

    /** What a wait was. */
    record Wait(WaitKind kind, String lockClass, String site) {}

    private static final String LOCKS = "java.util.concurrent.locks.";
    static final String UNKNOWN = "unknown";
    private static final String RUNTIME = "io.lockwatch.runtime.";
    /** lockwatch's own packages (not io.lockwatch.* as a whole: users and our tests live there too). */
    private static final String[] OURS = {RUNTIME, "io.lockwatch.agent.", "io.lockwatch.shaded.", "jdk.jfr."};
    private static final String RW_LOCK = LOCKS + "ReentrantReadWriteLock";

    private WaitClassifier() {}

    /** {@code jdk.JavaMonitorEnter}: the top frame is the method holding the {@code synchronized} block. */
    static Wait monitorEnter(String monitorClass, List<Frame> frames) {
        if (frames.isEmpty()) return new Wait(WaitKind.MONITOR, monitorClass, UNKNOWN); // the JVM could not walk it
        Frame site = frames.get(0);
        if (isOurs(site)) return null;
        return new Wait(WaitKind.MONITOR, monitorClass, describe(site));
    }

    /** {@code jdk.JavaMonitorWait}: {@code Object.wait}, or {@code Thread.join} waiting on the thread. */
    static Wait monitorWait(String monitorClass, List<Frame> frames) {
        WaitKind kind = WaitKind.OBJECT_WAIT;
        for (Frame f : frames) {
            if (f.className().equals("java.lang.Object")) continue;
            if (f.className().equals("java.lang.Thread") && f.method().equals("join")) {
                kind = WaitKind.JOIN;
                continue;
            }
            // A call site lockwatch rewrote (e.g. Thread.join through a runtime wrapper): the site is its caller.
            if (kind == WaitKind.JOIN && f.className().startsWith(RUNTIME)) continue;
            if (isOurs(f)) return null;
            return new Wait(kind, monitorClass, describe(f));
        }
        return frames.isEmpty() ? new Wait(kind, monitorClass, UNKNOWN) : null;
    }

    /**
     * {@code jdk.ThreadPark}: classified by the primitive frames above the site. Parks inside lockwatch's
     * own wrappers are skipped: those waits are already our own events, timed whole.
     */
    static Wait park(List<Frame> frames) {
        for (Frame f : frames) {
            if (f.className().startsWith(RUNTIME)) return null;
        }
        WaitKind kind = null;
        String lockClass = null;
        for (Frame f : frames) {
            String c = f.className();
            if (!isMachinery(c)) {
                if (kind == null || isOurs(f)) return null; // a park we cannot name (e.g. FutureTask.get)
                return new Wait(kind, lockClass, describe(f));
            }
            WaitKind k = primitive(c);
            if (k != null) {
                kind = k;
                lockClass = lockClassOf(k, c);
            }
        }
        return null;
    }

    private static boolean isMachinery(String c) {
        return c.startsWith(LOCKS) || c.startsWith("jdk.internal.misc.") || c.startsWith("sun.misc.")
                || isIn(c, "java.util.concurrent.Semaphore") || isIn(c, "java.util.concurrent.CountDownLatch")
                || isIn(c, "java.util.concurrent.CyclicBarrier") || isIn(c, "java.util.concurrent.Phaser")
                || isIn(c, "java.util.concurrent.ForkJoinPool");
    }

    private static WaitKind primitive(String c) {
        if (isIn(c, RW_LOCK + "$ReadLock")) return WaitKind.READ_LOCK;
        if (isIn(c, RW_LOCK + "$WriteLock")) return WaitKind.WRITE_LOCK;
        if (isIn(c, LOCKS + "ReentrantLock")) return WaitKind.REENTRANT_LOCK;
        if (c.endsWith("$ConditionObject")) return WaitKind.CONDITION;
        if (isIn(c, "java.util.concurrent.Semaphore")) return WaitKind.SEMAPHORE;
        if (isIn(c, "java.util.concurrent.CountDownLatch")) return WaitKind.LATCH;
        if (isIn(c, "java.util.concurrent.CyclicBarrier")) return WaitKind.BARRIER;
        if (isIn(c, "java.util.concurrent.Phaser")) return WaitKind.PHASER;
        return null;
    }

    /** The synchronizer's public class: {@code ReentrantLock$NonfairSync} is a {@code ReentrantLock}. */
    private static String lockClassOf(WaitKind kind, String frameClass) {
        if (kind == WaitKind.READ_LOCK || kind == WaitKind.WRITE_LOCK) return RW_LOCK;
        if (kind == WaitKind.CONDITION) return frameClass;
        int dollar = frameClass.indexOf('$');
        return dollar < 0 ? frameClass : frameClass.substring(0, dollar);
    }

    /** The class itself or one of its nested classes. */
    private static boolean isIn(String c, String outer) {
        return c.equals(outer) || (c.startsWith(outer) && c.charAt(outer.length()) == '$');
    }

    /** lockwatch's and JFR's own waits are not the application's contention. */
    private static boolean isOurs(Frame f) {
        for (String prefix : OURS) {
            if (f.className().startsWith(prefix)) return true;
        }
        return false;
    }

    static String describe(Frame f) {
        String where = f.className() + "." + f.method();
        return f.line() > 0 ? where + ":" + f.line() : where;
    }
}
