package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;

/**
 * No owner cycle, still a hang: "waiter" holds LOCK and awaits a latch that "signaller" would count down,
 * but "signaller" first needs LOCK.
 */
public final class LatchStall {
    static final Object LOCK = new Object();

    public static void main(String[] args) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch waiterHoldsLock = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            synchronized (LOCK) {
                waiterHoldsLock.countDown();
                Hang.await(done);
            }
        }, "waiter");
        Thread signaller = new Thread(() -> {
            Hang.await(waiterHoldsLock);
            synchronized (LOCK) {
                done.countDown();
            }
        }, "signaller");
        waiter.start();
        signaller.start();
        System.out.println("started");
        waiter.join();
    }
}
