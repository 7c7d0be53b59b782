package io.lockwatch.agent.instrument;

import java.util.List;

/**
 * The classes lockwatch never instruments, each with the reason. Everything else, JDK classes included,
 * is covered: real deadlocks cross the JDK and libraries.
 *
 * <p>The list is short on purpose. Most JDK code that lockwatch itself runs (collections, stack walking,
 * reflection) is harmless to instrument, because the runtime marks the thread busy while it works and
 * ignores every lock taken meanwhile. What is left here would break or slow the JVM if touched.
 */
final class IgnoreRules {
    private IgnoreRules() {}

    /** Class-name prefixes that are never instrumented, and why. */
    static final String[][] NEVER = {
        {"io.lockwatch.runtime.", "lockwatch's runtime records locks; it must not record itself"},
        {"io.lockwatch.agent.", "lockwatch's agent and instrumentation"},
        {"io.lockwatch.shaded.", "the libraries bundled inside lockwatch (Byte Buddy)"},
        {"java.lang.ThreadLocal", "reached on every tracked acquisition, before the busy flag can be read"},
        {"java.lang.invoke.", "method handles and lambda forms: instrumenting them can recurse into lambda bootstrap"},
        {"java.lang.instrument.", "class transformation machinery: runs inside every transformation"},
        {"sun.instrument.", "class transformation machinery: runs inside every transformation"},
        {"jdk.internal.reflect.", "generated accessors and reflection internals used while the runtime reads locks"},
        {"jdk.jfr.internal.", "JFR internals: lockwatch emits JFR events from inside the tracker"},
        {"java.util.concurrent.locks.StampedLock",
                "its views (asReadLock, asWriteLock) call its own methods: the view's call is the one tracked"},
    };

    /**
     * JDK methods whose lock no second thread takes, by the JDK's own design: class name, method name, why.
     * Such a lock is never waited for, so it can never be part of a deadlock, and its edges could only ever add
     * orders that the locks held around it already record. They are not free to track: the JDK takes the first
     * two for every class it loads from the class path (a fresh object each time), so they were most of the
     * lock-order graph's work while a service starts (H2's first pass: 4,428 of the 5,357 new edges and
     * occurrences it recorded). The lock's other sites, if it has any, stay tracked.
     *
     * <p>{@code Throwable.fillInStackTrace} is public, and a program may call it again on an exception that other
     * threads can see; but it locks nothing while it holds that lock, so a deadlock through it would take
     * another thread that holds the exception's monitor while it waits for a lock (a {@code synchronized} block
     * on an exception, which stays tracked).
     */
    static final String[][] THREAD_PRIVATE = {
        {"jdk.internal.loader.Resource", "cachedInputStream",
                "a Resource is made per lookup by the class path (URLClassPath) and used only by the thread that looked it up"},
        {"java.net.URL", "set",
                "called only while a URL is made (its constructor, through URLStreamHandler.parseURL), before another thread can see it"},
        // Tracked, this lock also came back into lockwatch from its own failures: a failure on a lock site's fast
        // path (which runs before the busy flag is set) makes an exception, whose constructor took this lock at a
        // tracked site, which failed again while making that exception, until the stack ran out.
        {"java.lang.Throwable", "fillInStackTrace",
                "every exception's constructor calls it on the exception being made, before another thread can see it;"
                        + " nothing can be locked inside it (a native stack walk)"},
    };

    /** @return true when the class (binary name, e.g. {@code java.lang.ThreadLocal$ThreadLocalMap}) is never instrumented */
    static boolean ignores(String className, List<String> userExcludes) {
        for (String[] rule : NEVER) {
            if (className.startsWith(rule[0])) return true;
        }
        for (String prefix : userExcludes) {
            if (className.startsWith(prefix)) return true;
        }
        return false;
    }

}
