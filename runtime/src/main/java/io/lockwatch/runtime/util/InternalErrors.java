package io.lockwatch.runtime.util;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Every failure inside the agent ends here: counted (the {@code internalErrors} stat and metric) and
 * logged once per place, never thrown into the application.
 *
 * <p>Recording must not fail in turn: the JDK code it could use (maps, the stderr stream) is itself
 * instrumented, so a failure there would come straight back here. Places are kept in a small lock-free
 * table, and a failure while recording on the same thread is only counted.
 *
 * <p>Nor may it take a lock: a failure is recorded where it happens, often on an application thread inside a
 * lock site, holding the application's locks. Printing there took the stream's lock under them, an order the
 * application never had, which could deadlock it (a thread that holds the stream and waits for one of those
 * locks) and which lockwatch then reported as the application's. So the line waits in a lock-free queue for
 * lockwatch's own threads to print it ({@link #printWaitingLines}): the detector, within one of its periods,
 * and the shutdown hook. The class transformer's warnings wait there too ({@link #warnLater}): it runs on
 * whichever thread loads a class, holding that thread's locks and the class's loading lock.
 */
public final class InternalErrors {
    private static final AtomicLong COUNT = new AtomicLong();
    // Written once, the time first: a reader that sees the reason sees its time.
    private static volatile long trackingStoppedAtMillis;
    private static volatile String trackingStoppedBecause;
    private static final AtomicReferenceArray<String> LOGGED = new AtomicReferenceArray<>(64);
    /**
     * Lines for stderr not printed yet, each with its level ({@code ERROR } or {@code WARNING }): at most one
     * error per place, the one that tracking stopped, and the transformer's warnings, which it caps itself.
     */
    private static final ConcurrentLinkedQueue<String> WAITING_LINES = new ConcurrentLinkedQueue<>();
    private static final ThreadLocal<boolean[]> RECORDING = new ThreadLocal<boolean[]>() {
        @Override
        protected boolean[] initialValue() {
            return new boolean[1];
        }
    };

    private InternalErrors() {}

    public static void record(String where, Throwable failure) {
        COUNT.incrementAndGet();
        boolean[] recording = RECORDING.get();
        if (recording[0]) return;
        recording[0] = true;
        try {
            if (firstTimeAt(where)) {
                printLater("internal failure in " + where + ": " + failure
                        + " (counted in stats.internalErrors; further failures here are counted, not logged)");
            }
        } catch (Throwable ignored) {
            // Counting is what matters.
        } finally {
            recording[0] = false;
        }
    }

    /**
     * Counts a failure whose caller says what it means in a line of its own, on one of lockwatch's own threads
     * (the metrics endpoint that could not start): one line for one failure, not that and a generic one.
     */
    public static void countSaidElsewhere() {
        COUNT.incrementAndGet();
    }

    /** An error line for stderr, printed by lockwatch's own thread (see the class comment); takes no lock. */
    public static void printLater(String errorLine) {
        WAITING_LINES.offer(Log.ERROR + errorLine);
    }

    /** A warning line for stderr, printed by lockwatch's own thread (see the class comment); takes no lock. */
    public static void warnLater(String warningLine) {
        WAITING_LINES.offer(Log.WARNING + warningLine);
    }

    /** Prints the lines waiting. Lockwatch's own threads only: never one of the application's. */
    public static void printWaitingLines() {
        String line;
        while ((line = WAITING_LINES.poll()) != null) Log.info(line); // each line carries its level
    }

    /** Claims the place in the table; false when it was there already (or the table is full). */
    private static boolean firstTimeAt(String where) {
        int start = (where.hashCode() & 0x7fffffff) % LOGGED.length();
        for (int i = 0; i < LOGGED.length(); i++) {
            int slot = (start + i) % LOGGED.length();
            String taken = LOGGED.get(slot);
            if (taken == null) {
                if (LOGGED.compareAndSet(slot, null, where)) return true;
                taken = LOGGED.get(slot);
            }
            if (where.equals(taken)) return false;
        }
        return false;
    }

    public static long count() {
        return COUNT.get();
    }

    /** Why tracking stopped, for the report and the metrics: failures on its paths came too often. */
    public static void trackingStopped(String because) {
        trackingStoppedAtMillis = System.currentTimeMillis();
        trackingStoppedBecause = because;
    }

    /**
     * Whether tracking has stopped for good because failures on its paths came too often (see
     * {@link #trackingStopped}); not whether it has started. The one place every part of lockwatch asks.
     */
    public static boolean isTrackingStopped() {
        return trackingStoppedBecause != null;
    }

    /** @return why tracking stopped, or null while it runs */
    public static String trackingStoppedBecause() {
        return trackingStoppedBecause;
    }

    /** @return when tracking stopped (epoch millis); meaningful once {@link #trackingStoppedBecause} is set */
    public static long trackingStoppedAtMillis() {
        return trackingStoppedAtMillis;
    }
}
