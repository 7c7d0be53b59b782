package io.lockwatch.bench.programs;

/** The one line format the overhead runner reads from a program's stdout. */
final class Metrics {
    private Metrics() {}

    /** {@code METRIC name value unit lower|higher}: lower or higher is better. */
    static void print(String name, double value, String unit, boolean lowerIsBetter) {
        System.out.println("METRIC " + name + " " + value + " " + unit + " " + (lowerIsBetter ? "lower" : "higher"));
    }
}
