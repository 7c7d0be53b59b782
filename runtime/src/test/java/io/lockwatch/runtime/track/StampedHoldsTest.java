package io.lockwatch.runtime.track;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.locks.StampedLock;
import org.junit.jupiter.api.Test;

/** A StampedLock hold is told from the lock's own state, whichever thread unlocked it. */
class StampedHoldsTest {
    private final StampedLock lock = new StampedLock();

    @Test
    void aWriteHoldIsInPlaceUntilItsStampIsUnlockedByAnyThread() throws Exception {
        long stamp = lock.writeLock();
        assertTrue(StampedHolds.inPlace(lock, true, stamp));
        Thread other = new Thread(() -> lock.unlockWrite(stamp));
        other.start();
        other.join();
        assertFalse(StampedHolds.inPlace(lock, true, stamp), "unlocked by the thread it was handed to");
        long next = lock.writeLock();
        assertFalse(StampedHolds.inPlace(lock, true, stamp), "locked again, by a later write lock");
        assertTrue(StampedHolds.inPlace(lock, true, next));
        lock.unlockWrite(next);
    }

    @Test
    void aReadHoldIsInPlaceWhileReadLockedWithNoWriteLockSince() {
        long read = lock.readLock();
        assertTrue(StampedHolds.inPlace(lock, false, read));
        assertFalse(StampedHolds.inPlace(lock, true, read), "not in the write mode");
        lock.unlockRead(read);
        assertFalse(StampedHolds.inPlace(lock, false, read));
        lock.unlockWrite(lock.writeLock());
        long again = lock.readLock();
        assertFalse(StampedHolds.inPlace(lock, false, read), "read-locked again, but after a write lock");
        assertTrue(StampedHolds.inPlace(lock, false, again));
        lock.unlockRead(again);
    }

    @Test
    void withoutAStampOnlyTheModeIsAsked() {
        lock.asWriteLock().lock();
        assertTrue(StampedHolds.inPlace(lock, true, 0));
        assertFalse(StampedHolds.inPlace(lock, false, 0));
        lock.asWriteLock().unlock();
        assertFalse(StampedHolds.inPlace(lock, true, 0));
    }
}
