package io.lockwatch.runtime.track;

/**
 * The code sites where locks are taken, numbered when a class is instrumented.
 *
 * <p>Instrumented code passes a site's number as a constant, which costs nothing at run time; the
 * site's description is only looked up when a finding is written.
 */
public final class CallSites {
    /** Site 0: taken where we could not tell (e.g. acquired before the agent started). */
    public static final int UNKNOWN = 0;

    private static final Object APPEND_LOCK = new Object();
    private static volatile StackTraceElement[] sites = new StackTraceElement[4096];
    private static int count = 1;

    private CallSites() {}

    /** Called by the instrumentation, once per lock site of each class it transforms. */
    public static int register(String className, String methodName, String fileName, int line) {
        StackTraceElement site = new StackTraceElement(className, methodName, fileName, line);
        synchronized (APPEND_LOCK) { // a leaf lock of our own, taken only while classes are transformed
            StackTraceElement[] current = sites;
            if (count == current.length) {
                StackTraceElement[] grown = new StackTraceElement[current.length * 2];
                System.arraycopy(current, 0, grown, 0, current.length);
                current = grown;
            }
            current[count] = site;
            sites = current;
            return count++;
        }
    }

    /** @return the site, or null when the number is unknown */
    public static StackTraceElement site(int id) {
        StackTraceElement[] current = sites;
        return id > 0 && id < current.length ? current[id] : null;
    }

    public static int count() {
        return count - 1;
    }
}
