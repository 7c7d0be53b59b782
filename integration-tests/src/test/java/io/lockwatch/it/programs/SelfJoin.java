package io.lockwatch.it.programs;

/**
 * Thread "joiner" joins itself: Java waits forever (Python would raise "cannot join current thread"). Prints
 * "started". With "then-wait", the main thread (which joins the joiner too) first waits 5 s once the joiner is in its
 * join (past a 2 s stall threshold, a few hang checks), then prints "waited".
 */
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
        if (args.length > 0 && args[0].equals("then-wait")) {
            while (joiner.getState() != Thread.State.WAITING) Thread.sleep(10);
            Thread.sleep(5000);
            System.out.println("waited");
        }
        joiner.join();
    }
}
