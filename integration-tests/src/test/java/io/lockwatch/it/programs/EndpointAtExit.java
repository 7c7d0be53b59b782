package io.lockwatch.it.programs;

import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * Returns from main once the test creates the file "go", having first registered a shutdown hook that waits
 * for the agent's endpoint thread and prints its state. A thread blocked in {@code accept()} is in native
 * code, and the JVM's exit waits 300 ms for such threads: the agent must close its socket at shutdown, so
 * that thread has ended by the time the hooks are done.
 */
public final class EndpointAtExit {
    public static void main(String[] args) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(Paths.get("go")) && System.nanoTime() < deadline) Thread.sleep(20);
        Thread endpoint = null;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("lockwatch-metrics-http")) endpoint = t;
        }
        if (endpoint == null) {
            System.out.println("no endpoint thread");
            return;
        }
        Thread watched = endpoint;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                watched.join(20_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.println("endpoint thread at exit: " + watched.getState());
        }));
    }
}
