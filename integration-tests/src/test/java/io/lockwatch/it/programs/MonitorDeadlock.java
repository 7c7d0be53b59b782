package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;

/**
 * Threads "alpha" and "beta" each hold one monitor and wait for the other's: a real deadlock. With "behind", once
 * both wait, "request-1" blocks on alpha's monitor, "request-2" takes OTHER and blocks on it too, and "request-3"
 * blocks on OTHER: three threads piling up behind the deadlock, one through another. With "behind-virtual", the
 * same with request-1 and request-2 virtual threads (JDK 21 and later), so that request-3 waits for a virtual one.
 * Prints "started", then with "behind" or "behind-virtual" "piled up" once the three were started.
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
        if (args.length > 0 && args[0].startsWith("behind")) {
            boolean virtual = args[0].equals("behind-virtual");
            while (alpha.getState() != Thread.State.BLOCKED || beta.getState() != Thread.State.BLOCKED) Thread.sleep(10);
            CountDownLatch otherHeld = new CountDownLatch(1);
            request("request-1", virtual, () -> {
                synchronized (FIRST) {
                    System.out.println("unreachable");
                }
            }).start();
            request("request-2", virtual, () -> {
                synchronized (OTHER) {
                    otherHeld.countDown();
                    synchronized (FIRST) {
                        System.out.println("unreachable");
                    }
                }
            }).start();
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

    private static Thread request(String name, boolean virtual, Runnable task) {
        return virtual ? VirtualDeadlock.virtual(name, task) : new Thread(task, name);
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
