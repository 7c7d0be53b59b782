package io.lockwatch.it.programs;

import java.util.concurrent.CyclicBarrier;

/** Threads "alpha" and "beta" each hold one monitor and wait for the other's: a real deadlock. */
public final class MonitorDeadlock {
    static final Object FIRST = new Object();
    static final Object SECOND = new Object();

    public static void main(String[] args) throws Exception {
        CyclicBarrier bothHoldOne = new CyclicBarrier(2);
        Thread alpha = new Thread(() -> takeBoth(FIRST, SECOND, bothHoldOne), "alpha");
        Thread beta = new Thread(() -> takeBoth(SECOND, FIRST, bothHoldOne), "beta");
        alpha.start();
        beta.start();
        System.out.println("started");
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
