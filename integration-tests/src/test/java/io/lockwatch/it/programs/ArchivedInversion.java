package io.lockwatch.it.programs;

/**
 * ABBA through two monitors, run from a jar whose classes an application class data sharing archive holds
 * ({@code ClassDataSharingTest}), beside a class that lockwatch leaves as it is.
 */
public final class ArchivedInversion {
    static final Object A = new Object();
    static final Object B = new Object();

    public static void main(String[] args) throws Exception {
        Staggered.steps()
                .then("first", () -> { synchronized (A) { synchronized (B) { work(); } } })
                .then("second", () -> { synchronized (B) { synchronized (A) { work(); } } })
                .run();
        System.out.println(Untouched.done());
    }

    static void work() {}

    /** No lock and no wait in it: lockwatch does not rewrite it, so the archive's copy of it can serve. */
    static final class Untouched {
        static String done() {
            return "done";
        }
    }
}
