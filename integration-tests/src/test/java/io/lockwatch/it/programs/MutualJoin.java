package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;

/**
 * "alpha" joins "beta" while "beta" joins "alpha": each waits for the other to end, forever, holding nothing. The
 * JVM's deadlock search sees nothing (a join waits on the joined thread's monitor, which no thread owns). With the
 * argument "virtual" (JDK 21 and later) both are virtual threads, which take no lock before they join: their joins
 * park on each other's termination latch, and no thread snapshot of the JVM shows them at all. With "mixed", alpha is
 * a virtual thread and beta a platform one: alpha's join waits in {@code Object.wait} on beta, where no snapshot shows
 * it. Prints "joining" once both are in their joins; never ends.
 */
public final class MutualJoin {
    static Thread alpha;
    static Thread beta;

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "platform";
        boolean virtual = mode.equals("virtual");
        CountDownLatch both = new CountDownLatch(2);
        alpha = VirtualThreads.unstarted("alpha", virtual || mode.equals("mixed"), () -> {
            both.countDown();
            Hang.await(both);
            Hang.join(beta);
        });
        beta = VirtualThreads.unstarted("beta", virtual, () -> {
            both.countDown();
            Hang.await(both);
            Hang.join(alpha);
        });
        alpha.start();
        beta.start();
        both.await();
        while (alpha.getState() != Thread.State.WAITING || beta.getState() != Thread.State.WAITING) Thread.sleep(10);
        System.out.println("joining");
        alpha.join();
    }

}
