package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;

/**
 * Threads "alpha" and "beta" each hold one monitor and wait for the other's: a real deadlock. With "behind", once
 * both wait, "request-1" blocks on alpha's monitor, "request-2" takes OTHER and blocks on it too, and "request-3"
 * blocks on OTHER: three threads piling up behind the deadlock, one through another. Prints "started", then with
 * "behind" "piled up" once the three were started.
 */
public final class MonitorDeadlock {
    static final Object FIRST = new Object();
    static final Object SECOND = new Object();
    static final Object OTHER = new Object();

    public static void main(String[] args) throws Exception {
        CyclicBarrier bothHoldOne = new CyclicBarrier(2);
        Thread alpha = new Thread(() -> takeBoth(FIRST, SECOND, bothHoldOne), "alpha");
        Thread beta = new Thread(() -> takeBoth(SECOND, FIRST, bothHoldOne), "beta");
        alpha.start();
        beta.start();
        System.out.println("started");
        if (args.length > 0 && args[0].equals("behind")) {
            while (alpha.getState() != Thread.State.BLOCKED || beta.getState() != Thread.State.BLOCKED) Thread.sleep(10);
            CountDownLatch otherHeld = new CountDownLatch(1);
            new Thread(() -> {
                synchronized (FIRST) {
                    System.out.println("unreachable");
                }
            }, "request-1").start();
            new Thread(() -> {
                synchronized (OTHER) {
                    otherHeld.countDown();
                    synchronized (FIRST) {
                        System.out.println("unreachable");
                    }
                }
            }, "request-2").start();
            otherHeld.await();
            new Thread(() -> {
                synchronized (OTHER) {
                    System.out.println("unreachable");
                }
            }, "request-3").start();
            System.out.println("piled up");
        }
        alpha.join(); // never returns
    }

    static void takeBoth(Object mine, Object theirs, CyclicBarrier bothHoldOne) {
        synchronized (mine) {
            Hang.await(bothHoldOne);
            synchronized (theirs) {
                System.out.println("unreachable");
            }
        }
    }
}
