package io.lockwatch.it.programs;

/** ABBA through two monitors. */
public final class MonitorInversion {
    static final Object A = new Object();
    static final Object B = new Object();

    public static void main(String[] args) throws Exception {
        Staggered.steps()
                .then("first", () -> { synchronized (A) { synchronized (B) { work(); } } })
                .then("second", () -> { synchronized (B) { synchronized (A) { work(); } } })
                .run();
        System.out.println("done");
    }

    static void work() {}
}
