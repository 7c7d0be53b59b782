package io.lockwatch.bench.programs;

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
}
