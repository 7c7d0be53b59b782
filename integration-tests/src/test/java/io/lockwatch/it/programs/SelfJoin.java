package io.lockwatch.it.programs;

/** Thread "joiner" joins itself: Java waits forever (Python would raise "cannot join current thread"). */
public final class SelfJoin {
    public static void main(String[] args) throws Exception {
        Thread joiner = new Thread(() -> {
            try {
                Thread.currentThread().join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "joiner");
        joiner.start();
        System.out.println("started");
        joiner.join();
    }
}
