package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@code ReentrantReadWriteLock}'s read lock is never upgraded to its write lock.
 *
 * <p>"upgrade": "upgrader" holds the read lock and asks for the write lock, which waits until no thread reads, itself
 * included: it waits for itself, forever. Prints "waiting" just before; never ends.
 *
 * <p>"downgrade": what the lock's documentation shows instead (its CachedData example): the read lock given up before
 * the write lock is taken, the read lock taken again under the write lock, then the write lock given up (a
 * downgrade); and the write lock re-entered while the thread holds both. Nothing waits for itself. Prints "done".
 *
 * <p>"released-unseen": the read lock is given up in {@link Unseen} (which the test leaves uninstrumented, as a user's
 * exclusion would), then the write lock is taken, at once. Prints "done".
 */
public final class ReadWriteUpgrade {
    static final ReentrantReadWriteLock RW = new ReentrantReadWriteLock();

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "";
        Runnable steps = mode.equals("upgrade") ? ReadWriteUpgrade::upgrade
                : mode.equals("released-unseen") ? ReadWriteUpgrade::releasedUnseen : ReadWriteUpgrade::downgrade;
        Thread thread = new Thread(steps, "upgrader");
        thread.start();
        thread.join();
        System.out.println("done");
    }

    private static void upgrade() {
        RW.readLock().lock();
        System.out.println("waiting");
        RW.writeLock().lock(); // never returns
    }

    private static void releasedUnseen() {
        RW.readLock().lock();
        Unseen.unlockRead();
        RW.writeLock().lock(); // no read lock held: taken at once
        RW.writeLock().unlock();
    }

    /** Gives up the read lock; the test excludes this class from instrumentation, so lockwatch does not see it. */
    static final class Unseen {
        static void unlockRead() {
            RW.readLock().unlock();
        }
    }

    private static void downgrade() {
        RW.readLock().lock();
        RW.readLock().unlock(); // the data must change: give up reading first
        RW.writeLock().lock();
        RW.readLock().lock(); // downgrade: read under the write lock
        RW.writeLock().lock(); // re-entered: the thread holds the write lock
        RW.writeLock().unlock();
        RW.writeLock().unlock(); // still reading
        RW.readLock().unlock();
    }
}
