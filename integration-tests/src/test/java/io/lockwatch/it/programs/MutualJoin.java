package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;

/**
 * "alpha" joins "beta" while "beta" joins "alpha": each waits for the other to end, forever. The JVM's deadlock
 * search sees nothing (a join waits on the joined thread's monitor, which no thread owns). Prints "joining" once
 * both are about to join; never ends.
 */
public final class MutualJoin {
    static Thread alpha;
    static Thread beta;

    public static void main(String[] args) throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        alpha = new Thread(() -> {
            both.countDown();
            Hang.await(both);
            Hang.join(beta);
        }, "alpha");
        beta = new Thread(() -> {
            both.countDown();
            Hang.await(both);
            Hang.join(alpha);
        }, "beta");
        alpha.start();
        beta.start();
        both.await();
        System.out.println("joining");
        alpha.join();
    }
}
