package io.lockwatch.it.programs;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.StampedLock;

/**
 * ABBA through two {@code StampedLock}s, one after the other (no real deadlock): "first" holds A's write lock and
 * takes B's read lock; "second" holds B's write lock and takes A's write lock. With "views", "first" takes A through
 * its {@code asWriteLock()} view, a {@code Lock}: the same lock as A's stamps. With "converted", "first" holds A's
 * read lock and upgrades it ({@code tryConvertToWriteLock}) before it takes B. Prints "done".
 *
 * <p>With "self", one thread holds A's read lock and asks for its write lock: a StampedLock is not reentrant, so it
 * waits for itself. Prints "waiting" just before; never ends. "self-views", "self-view-then-stamp" and
 * "self-stamp-then-view" are the same with either or both taken through A's views. With "deadlock", "first" and "second" each hold one
 * write lock and wait for the other's: a real deadlock, which the JVM's own search cannot see (a StampedLock has no
 * owner). Prints "waiting" once both hold theirs; never ends. "deadlock-behind" is that deadlock with two more
 * threads behind it: one parked on A, one blocked on a monitor the first holds (see pileUpBehind); "deadlock-view"
 * is that deadlock with "first" holding A through its asWriteLock() view. With "handed-over", "owner" takes A's write lock and
 * hands the stamp to "helper", which unlocks it (a StampedLock allows that); "owner" then takes the write lock again,
 * which does not wait. Prints "done".
 *
 * <p>With "handed-over-then-held", "owner"'s stamp is unlocked by "helper" as above, then "holder" takes A's write
 * lock and keeps it until "owner", asking for it, parks; "owner" waits for "holder", not for itself. With
 * "handed-over-inversion", "owner" takes B's read lock after "helper" unlocked A (so A is not held around B), then
 * "second" (alive meanwhile) takes B's write lock and A's inside it: one order only. "view-unlocked-elsewhere-inversion"
 * is the same with A taken through its asWriteLock() view and unlocked through it by "helper";
 * "view-try-locked-unlocked-elsewhere-inversion" takes the view with tryLock(). All print "done".
 */
public final class StampedLockInversion {
    static final StampedLock A = new StampedLock();
    static final StampedLock B = new StampedLock();

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "";
        if (mode.equals("deadlock") || mode.equals("deadlock-behind") || mode.equals("deadlock-view")) {
            java.util.concurrent.CountDownLatch bothHold = new java.util.concurrent.CountDownLatch(2);
            Thread first = new Thread(() -> {
                if (mode.equals("deadlock-view")) crossWritesHoldingAView(A, B, bothHold);
                else crossWrites(A, B, bothHold);
            }, "first");
            Thread second = new Thread(() -> crossWrites(B, A, bothHold), "second");
            first.start();
            second.start();
            bothHold.await();
            System.out.println("waiting");
            if (mode.equals("deadlock-behind")) pileUpBehind(first, second);
            first.join();
            return;
        }
        if (mode.equals("handed-over-inversion") || mode.startsWith("view-")) {
            Staggered.steps()
                    .then("owner", () -> {
                        if (mode.equals("handed-over-inversion")) {
                            handOverAndUnlock(A.writeLock());
                        } else {
                            lockViewAndUnlockElsewhere(mode.equals("view-try-locked-unlocked-elsewhere-inversion"));
                        }
                        readB();
                    })
                    .then("second", StampedLockInversion::writeBThenA)
                    .run();
            System.out.println("done");
            return;
        }
        if (mode.startsWith("handed-over")) {
            Thread owner = new Thread(() -> {
                handOverAndUnlock(A.writeLock());
                if (mode.equals("handed-over")) {
                    A.unlockWrite(A.writeLock()); // its first hold is gone: this takes the lock at once
                } else {
                    Thread holder = holdUntilParkedOn(A, Thread.currentThread());
                    A.unlockWrite(A.writeLock()); // waits for "holder"
                    join(holder);
                }
            }, "owner");
            owner.start();
            owner.join();
            System.out.println("done");
            return;
        }
        if (mode.startsWith("self")) {
            boolean readByView = mode.equals("self-views") || mode.equals("self-view-then-stamp");
            boolean writeByView = mode.equals("self-views") || mode.equals("self-stamp-then-view");
            Thread reader = new Thread(() -> {
                if (readByView) {
                    A.asReadLock().lock();
                } else {
                    A.readLock();
                }
                System.out.println("waiting");
                // never returns: the write lock waits for this thread's read lock
                if (writeByView) {
                    A.asWriteLock().lock();
                } else {
                    A.writeLock();
                }
            }, "upgrader");
            reader.start();
            reader.join();
            return;
        }
        Staggered.steps()
                .then("first", () -> {
                    if (mode.equals("views")) {
                        Lock a = A.asWriteLock();
                        a.lock();
                        try {
                            readB();
                        } finally {
                            a.unlock();
                        }
                    } else if (mode.equals("converted")) {
                        long stamp = A.tryConvertToWriteLock(A.readLock());
                        readB();
                        A.unlockWrite(stamp);
                    } else {
                        long stamp = A.writeLock();
                        readB();
                        A.unlockWrite(stamp);
                    }
                })
                .then("second", StampedLockInversion::writeBThenA)
                .run();
        System.out.println("done");
    }

    /**
     * Once both wait, "late" takes a monitor and asks for A's write lock (A names no owner: it parks on A), and
     * "later" blocks on late's monitor. Prints "piled up" once both wait.
     */
    private static void pileUpBehind(Thread first, Thread second) throws InterruptedException {
        while (java.util.concurrent.locks.LockSupport.getBlocker(first) != B
                || java.util.concurrent.locks.LockSupport.getBlocker(second) != A) {
            Thread.sleep(10);
        }
        Object pile = new Object();
        Thread late = new Thread(() -> {
            synchronized (pile) {
                A.writeLock(); // never returns
            }
        }, "late");
        late.start();
        while (java.util.concurrent.locks.LockSupport.getBlocker(late) != A) Thread.sleep(10);
        Thread later = new Thread(() -> {
            synchronized (pile) {
                System.out.println("unreachable");
            }
        }, "later");
        later.start();
        while (later.getState() != Thread.State.BLOCKED) Thread.sleep(10);
        System.out.println("piled up");
    }

    /** As {@link #crossWrites}, holding its own lock through its {@code asWriteLock()} view, which gives no stamp. */
    private static void crossWritesHoldingAView(StampedLock mine, StampedLock theirs,
                                                java.util.concurrent.CountDownLatch bothHold) {
        Lock view = mine.asWriteLock();
        view.lock();
        bothHold.countDown();
        Hang.await(bothHold);
        long other = theirs.writeLock(); // never returns
        theirs.unlockWrite(other);
        view.unlock();
    }

    private static void crossWrites(StampedLock mine, StampedLock theirs, java.util.concurrent.CountDownLatch bothHold) {
        long held = mine.writeLock();
        bothHold.countDown();
        Hang.await(bothHold);
        long other = theirs.writeLock(); // never returns
        theirs.unlockWrite(other);
        mine.unlockWrite(held);
    }

    /** B's write lock, then A's inside it (given up with {@code unlock}, which takes a stamp of either mode). */
    private static void writeBThenA() {
        long b = B.writeLock();
        long a = A.writeLock();
        A.unlock(a);
        B.unlock(b);
    }

    /** Hands the stamp to "helper", which unlocks it, and waits for that. */
    private static void handOverAndUnlock(long stamp) {
        Thread helper = new Thread(() -> A.unlockWrite(stamp), "helper");
        helper.start();
        join(helper);
    }

    /** A's write lock taken through its view, which "helper" unlocks through the view (no stamp: anyone may). */
    private static void lockViewAndUnlockElsewhere(boolean tryLock) {
        if (tryLock) {
            if (!A.asWriteLock().tryLock()) throw new IllegalStateException("A is free: nothing else takes it yet");
        } else {
            A.asWriteLock().lock();
        }
        Thread helper = new Thread(() -> A.asWriteLock().unlock(), "helper");
        helper.start();
        join(helper);
    }

    /** "holder" takes the lock's write lock, and gives it up once {@code waiter} parks on the lock. */
    private static Thread holdUntilParkedOn(StampedLock lock, Thread waiter) {
        java.util.concurrent.CountDownLatch holds = new java.util.concurrent.CountDownLatch(1);
        Thread holder = new Thread(() -> {
            long stamp = lock.writeLock();
            holds.countDown();
            while (java.util.concurrent.locks.LockSupport.getBlocker(waiter) != lock) Thread.onSpinWait();
            lock.unlockWrite(stamp);
        }, "holder");
        holder.start();
        Hang.await(holds);
        return holder;
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void readB() {
        long stamp = B.readLock();
        B.unlockRead(stamp);
    }
}
