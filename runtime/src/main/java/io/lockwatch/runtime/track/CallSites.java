package io.lockwatch.runtime.track;

/**
 * The code sites where locks are taken, numbered when a class is instrumented.
 *
 * <p>Instrumented code passes a site's number as a constant, which costs nothing at run time; the
 * site's description is only looked up when a finding is written.
 *
 * <p>Every site of every instrumented class is kept for the JVM's life, so a site is kept small: its method's name,
 * its line and its class's names (shared by the class's sites) in three arrays, 12 bytes, where a
 * {@code StackTraceElement} of its own was 52. A service with tens of thousands of sites keeps megabytes less, and
 * what it keeps is made while its classes load, when the young collections of its start-up copy it again and again
 * (fifty-fourth round).
 */
public final class CallSites {
    /** Site 0: taken where we could not tell (e.g. acquired before the agent started). */
    public static final int UNKNOWN = 0;

    private static final Object APPEND_LOCK = new Object();
    /** The sites so far, replaced by a larger copy when full; written under {@link #APPEND_LOCK}, read without. */
    private static volatile Table table = new Table(1024);
    private static int count = 1;
    /** The class whose site was registered last: a class's sites are registered in a row, and share it. */
    private static SiteClass lastClass;

    private CallSites() {}

    /** A class's names, as its sites' descriptions give them. */
    private static final class SiteClass {
        final String className;
        final String fileName;

        SiteClass(String className, String fileName) {
            this.className = className;
            this.fileName = fileName;
        }
    }

    /** Per site number: its class, method and line. */
    private static final class Table {
        final SiteClass[] classes;
        final String[] methods;
        final int[] lines;

        Table(int length) {
            classes = new SiteClass[length];
            methods = new String[length];
            lines = new int[length];
        }

        int length() {
            return lines.length;
        }

        Table twiceAsLarge() {
            Table grown = new Table(2 * length());
            System.arraycopy(classes, 0, grown.classes, 0, length());
            System.arraycopy(methods, 0, grown.methods, 0, length());
            System.arraycopy(lines, 0, grown.lines, 0, length());
            return grown;
        }
    }

    /** Called by the instrumentation, once per lock site of each class it transforms. */
    public static int register(String className, String methodName, String fileName, int line) {
        // Interned: the same strings the JVM's stack frames and Class.getName() give, so a site and the frames of
        // captured stacks (whose top frames are sites) share them; about 23 KB less after H2's setup.
        className = className.intern();
        methodName = methodName.intern();
        if (fileName != null) fileName = fileName.intern();
        synchronized (APPEND_LOCK) { // a leaf lock of our own, taken only while classes are transformed
            Table current = table;
            if (count == current.length()) current = current.twiceAsLarge();
            SiteClass owner = lastClass;
            // By identity: a class's rewrite passes the same two strings for each of its sites.
            if (owner == null || owner.className != className || owner.fileName != fileName) {
                owner = lastClass = new SiteClass(className, fileName);
            }
            current.classes[count] = owner;
            current.methods[count] = methodName;
            current.lines[count] = line;
            table = current; // the volatile write publishes the site to readers of its number
            return count++;
        }
    }

    /** @return the site (a new object each time), or null when the number is unknown */
    public static StackTraceElement site(int id) {
        Table current = table;
        if (id <= 0 || id >= current.length()) return null;
        SiteClass owner = current.classes[id];
        if (owner == null) return null;
        return new StackTraceElement(owner.className, current.methods[id], owner.fileName, current.lines[id]);
    }

    public static int count() {
        return count - 1;
    }
}
