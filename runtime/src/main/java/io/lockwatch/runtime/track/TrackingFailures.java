package io.lockwatch.runtime.track;

import io.lockwatch.runtime.util.InternalErrors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failures on the tracking paths, the code that instrumented lock and wait sites call: counted and logged
 * like every internal failure, and, should they recur, the reason lockwatch stops tracking.
 *
 * <p>A failure that comes back at every acquisition (a class of ours that can no longer be loaded, a bug on a
 * common path) would otherwise cost the application an exception, stack trace included, at every lock it
 * takes for as long as it runs: a loop of nested locks ran 36 times slower with a class missing from the
 * agent jar. So at {@link #LIMIT} such failures within one {@link #WINDOW_NANOS} window (a failure at every
 * lock makes thousands a second; a rare one never comes close), tracking stops for the rest of the JVM's life
 * ({@link LockTracker#stopTracking}). A circuit breaker that does not close again: whatever failed a
 * thousand times in a second will fail again.
 *
 * <p>A stack overflow is counted but never trips it: that is the application's recursion running out of
 * stack in our code, which its own code would have run out in a moment later.
 */
final class TrackingFailures {
    static final int LIMIT = 1_000;
    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final TrackingFailures ON_TRACKING_PATHS = new TrackingFailures(System.nanoTime());

    private final AtomicLong windowStart;
    private final AtomicInteger inWindow = new AtomicInteger();
    private final AtomicBoolean tripped = new AtomicBoolean();

    TrackingFailures(long nowNanos) {
        windowStart = new AtomicLong(nowNanos);
    }

    /**
     * Loads and initializes this class and {@link InternalErrors} (see {@link LockTracker#start}): the path that
     * handles a failure must not need a class loaded first. Loaded at the first failure, a class missing from a
     * damaged jar, or one that cannot load in a failing JVM, threw from the catch blocks into the application.
     */
    static void load() {
        InternalErrors.count();
    }

    /**
     * Counts and logs a failure on a tracking path; the one that reaches the limit stops tracking, and from
     * then on each one retires its thread's state, so that the thread's running methods fail there no more.
     */
    static void record(String where, Throwable failure) {
        InternalErrors.record(where, failure);
        if (ON_TRACKING_PATHS.trips(failure, System.nanoTime())) {
            LockTracker.stopTracking(LIMIT + " internal failures within a second, the last in " + where + ": " + failure);
        }
        if (InternalErrors.isTrackingStopped()) LockTracker.retireCurrentThread();
    }

    /**
     * One more failure at {@code nowNanos}. Windows are fixed, not sliding, and the count's reset at a new
     * window races with other threads' failures: both lose a few counts, never enough to matter at a
     * thousand a second.
     *
     * @return true for the one failure, in the JVM's life, that reaches {@link #LIMIT} within a window
     */
    boolean trips(Throwable failure, long nowNanos) {
        if (failure instanceof StackOverflowError || tripped.get()) return false;
        long start = windowStart.get();
        if (nowNanos - start >= WINDOW_NANOS && windowStart.compareAndSet(start, nowNanos)) inWindow.set(0);
        return inWindow.incrementAndGet() >= LIMIT && tripped.compareAndSet(false, true);
    }
}
