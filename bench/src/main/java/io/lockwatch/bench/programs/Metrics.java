package io.lockwatch.bench.programs;

import java.lang.management.ManagementFactory;
import java.util.function.Predicate;
import javax.management.ObjectName;

/** The line formats the overhead runner reads from a program's stdout. */
final class Metrics {
    private Metrics() {}

    /** {@code METRIC name value unit lower|higher}: lower or higher is better. */
    static void print(String name, double value, String unit, boolean lowerIsBetter) {
        System.out.println("METRIC " + name + " " + value + " " + unit + " " + (lowerIsBetter ? "lower" : "higher"));
    }

    /** {@code WARNING text}: the runner shows it on the run's line, so a run measured in the wrong state says so. */
    static void warn(String text) {
        System.out.println("WARNING " + text);
    }

    /**
     * Bytes of the instances of the classes {@code counted} accepts, in a class histogram (which does a full GC
     * first); -1 when the JVM gives none. {@code -Dbench.histogram=N} prints the top N classes on stderr.
     */
    static long histogramBytes(Predicate<String> counted) {
        try {
            String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            long bytes = 0;
            int show = Integer.getInteger("bench.histogram", 0);
            String[] lines = histogram.split("\n");
            for (int i = 0; show > 0 && i < Math.min(show + 3, lines.length); i++) System.err.println(lines[i]);
            for (String line : lines) {
                // "   1:    123456    7890123  io.lockwatch.runtime.graph.LockNode (java.base@17...)"
                String[] cols = line.trim().split("\\s+");
                if (cols.length >= 4 && cols[0].endsWith(":") && counted.test(cols[3])) bytes += Long.parseLong(cols[2]);
            }
            return bytes;
        } catch (Exception e) {
            System.err.println("no class histogram: " + e);
            return -1;
        }
    }
}
