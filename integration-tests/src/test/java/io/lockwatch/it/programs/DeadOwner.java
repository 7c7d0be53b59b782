package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;

/**
 * "quitter" ends while holding a ReentrantLock; "late-comer" then blocks on it forever.
 *
 * <p>With "stamped-write" or "stamped-read", the lock is a StampedLock, which "quitter" ends holding in that mode;
 * "late-comer" asks for its write lock; "stamped-view-write" and "stamped-view-read" the same through the lock's views
 * ({@code asWriteLock()}, {@code asReadLock()}: a {@code Lock}, no stamp). With "stamped-handed-over", "quitter" hands its write stamp to "helper" and
 * ends; "helper" unlocks it a second later (a slow hand-over, but no lock left behind), then "late-comer" takes the
 * write lock, which it gets, and the program prints "done".
 */
public final class DeadOwner {
    static final ReentrantLock LOCK = new ReentrantLock();
    static final StampedLock STAMPED = new StampedLock();

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "";
        Thread quitter;
        Runnable lateComer;
        if (mode.equals("stamped-write") || mode.equals("stamped-read")) {
            // Lambdas, not method references: a method reference's call is not a site in this class.
            quitter = new Thread(mode.equals("stamped-write") ? () -> STAMPED.writeLock() : () -> STAMPED.readLock(), "quitter");
            lateComer = () -> STAMPED.unlockWrite(STAMPED.writeLock());
        } else if (mode.equals("stamped-view-write") || mode.equals("stamped-view-read")) {
            quitter = new Thread(mode.equals("stamped-view-write") ? () -> STAMPED.asWriteLock().lock()
                    : () -> STAMPED.asReadLock().lock(), "quitter");
            lateComer = () -> STAMPED.unlockWrite(STAMPED.writeLock());
        } else if (mode.equals("stamped-handed-over")) {
            quitter = new Thread(() -> {
                long stamp = STAMPED.writeLock();
                Thread quitting = Thread.currentThread();
                new Thread(() -> {
                    try {
                        quitting.join();
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    STAMPED.unlockWrite(stamp);
                    System.out.println("unlocked");
                }, "helper").start();
            }, "quitter");
            lateComer = () -> STAMPED.unlockWrite(STAMPED.writeLock());
        } else {
            quitter = new Thread(() -> LOCK.lock(), "quitter");
            lateComer = () -> LOCK.lock();
        }
        quitter.start();
        quitter.join();
        System.out.println("quitter ended");
        Thread late = new Thread(lateComer, "late-comer");
        late.start();
        late.join();
        System.out.println(mode.equals("stamped-handed-over") ? "done" : "unreachable");
    }
}
