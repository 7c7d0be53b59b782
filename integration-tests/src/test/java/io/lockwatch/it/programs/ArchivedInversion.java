package io.lockwatch.it.programs;

/**
 * {@link MonitorInversion} run from a jar whose classes an application's class data sharing archive or AOT cache
 * holds ({@code ClassDataSharingTest}), beside a class that lockwatch leaves as it is.
 */
public final class ArchivedInversion {
    public static void main(String[] args) throws Exception {
        Untouched.load();
        MonitorInversion.main(args);
    }

    /** No lock and no wait in it: lockwatch does not rewrite it, so the archive's copy of it can serve. */
    static final class Untouched {
        static void load() {}
    }
}
