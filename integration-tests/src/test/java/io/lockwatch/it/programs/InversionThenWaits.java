package io.lockwatch.it.programs;

/** Inverts two monitors (without hanging), says "ready", then waits forever like a service. */
public final class InversionThenWaits {
    public static void main(String[] args) throws Exception {
        MonitorInversion.main(args);
        System.out.println("ready");
        Thread.sleep(Long.MAX_VALUE);
    }
}
