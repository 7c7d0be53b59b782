package io.lockwatch.agent.instrument;

import io.lockwatch.runtime.stats.AgentStats;
import io.lockwatch.runtime.util.InternalErrors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Classes lockwatch could not instrument: each is counted ({@code instrumentationErrors}) and runs unchanged;
 * so do single methods too large to instrument, whose classes' other methods are instrumented (counted in
 * {@code instrumentationErrors} and {@code methodsUninstrumented}). The first few are named on stderr, then
 * one line says that the rest are only counted: a code generator whose classes all fail would otherwise write
 * a line per class for as long as the application runs.
 *
 * <p>The lines wait for lockwatch's own thread to print them ({@link InternalErrors#warnLater}): a class is
 * transformed on the thread that loads it, under that thread's locks and the class's loading lock, and
 * taking the stderr stream's lock there is an order the application never had.
 */
final class UninstrumentedClasses {
    /** Classes named on stderr at most; the count goes on. */
    static final int NAMED_AT_MOST = 10;
    private static final AtomicInteger failures = new AtomicInteger();

    private UninstrumentedClasses() {}

    /**
     * Counts one class that could not be instrumented and names it while under the cap.
     *
     * @param what what failed, as the line starts: "could not instrument"
     * @param consequence what it means for the class, as the line ends
     */
    static void count(String what, String className, Throwable failure, String consequence) {
        AgentStats.instrumentationErrors.incrementAndGet();
        warn(what + " " + className + " (" + failure + "); " + consequence);
    }

    /** Counts one method left as it is in a class that is otherwise instrumented, and names it while under the cap. */
    static void countMethod(String className, String method, String descriptor, Throwable failure) {
        AgentStats.methodsUninstrumented.incrementAndGet();
        count("could not instrument", className + "." + method + descriptor, failure,
                "it runs unchanged, its locks untracked; the class's other methods are instrumented");
    }

    private static void warn(String line) {
        int seen = failures.incrementAndGet();
        if (seen <= NAMED_AT_MOST) {
            InternalErrors.warnLater(line);
        } else if (seen == NAMED_AT_MOST + 1) {
            InternalErrors.warnLater("more classes could not be instrumented; past the first " + NAMED_AT_MOST
                    + " they are counted (stats.instrumentationErrors, lockwatch_instrumentation_errors_total), not named");
        }
    }
}
