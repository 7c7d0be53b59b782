package io.lockwatch.runtime.util;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every failure inside the agent ends here: counted (the {@code internalErrors} stat and, later, a metric)
 * and logged once per place, never thrown into the application.
 */
public final class InternalErrors {
    private static final AtomicLong COUNT = new AtomicLong();
    private static final ConcurrentHashMap<String, Boolean> LOGGED = new ConcurrentHashMap<>();

    private InternalErrors() {}

    public static void record(String where, Throwable failure) {
        COUNT.incrementAndGet();
        try {
            if (LOGGED.putIfAbsent(where, Boolean.TRUE) == null) {
                Log.error("internal failure in " + where + ": " + failure
                        + " (counted in stats.internalErrors; further failures here are counted, not logged)");
            }
        } catch (Throwable ignored) {
            // Counting is what matters.
        }
    }

    public static long count() {
        return COUNT.get();
    }
}
