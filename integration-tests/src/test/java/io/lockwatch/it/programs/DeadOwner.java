package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantLock;

/** "quitter" ends while holding a ReentrantLock; "late-comer" then blocks on it forever. */
public final class DeadOwner {
    static final ReentrantLock LOCK = new ReentrantLock();

    public static void main(String[] args) throws Exception {
        // A lambda, not LOCK::lock: a method reference's call is not a site in this class.
        Thread quitter = new Thread(() -> LOCK.lock(), "quitter");
        quitter.start();
        quitter.join();
        System.out.println("quitter ended");
        Thread lateComer = new Thread(() -> {
            LOCK.lock();
            System.out.println("unreachable");
        }, "late-comer");
        lateComer.start();
        lateComer.join();
    }
}
