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
 */
public final class ReadWriteUpgrade {
    static final ReentrantReadWriteLock RW = new ReentrantReadWriteLock();

    public static void main(String[] args) throws Exception {
        boolean upgrade = args.length > 0 && args[0].equals("upgrade");
        Thread thread = new Thread(upgrade ? ReadWriteUpgrade::upgrade : ReadWriteUpgrade::downgrade, "upgrader");
        thread.start();
        thread.join();
        System.out.println("done");
    }

    private static void upgrade() {
        RW.readLock().lock();
        System.out.println("waiting");
        RW.writeLock().lock(); // never returns
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
