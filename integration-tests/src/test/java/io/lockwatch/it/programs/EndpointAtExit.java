package io.lockwatch.it.programs;

/**
 * Once the test creates the file "go", registers a shutdown hook that waits for the agent's endpoint thread
 * and prints its state, and returns from main. A thread blocked in {@code accept()} is in native
 * code, and the JVM's exit waits 300 ms for such threads: the agent must close its socket at shutdown, so
 * that thread has ended by the time the hooks are done.
 */
public final class EndpointAtExit {
    public static void main(String[] args) throws Exception {
        GoFile.await();
        Thread endpoint = AgentThread.named("lockwatch-metrics-http");
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
