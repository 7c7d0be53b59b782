package io.lockwatch.runtime.track;

import java.util.concurrent.locks.StampedLock;

/**
 * Whether a {@code StampedLock} hold that a thread's stack records is still in place, asked of the lock itself.
 *
 * <p>A stamp may be handed to another thread, which unlocks it (StampedLock allows that, and has no owner); the
 * stack of the thread that took it does not see the unlock. The lock's state does: each write lock changes the
 * lock's version, which {@code validate} compares, so a write hold is in place while the lock is write-locked and its
 * stamp still validates. A read hold is in place while the lock is read-locked and no write lock was taken since its
 * stamp; another reader's hold is not told from it. Taken through a view ({@code asWriteLock()}), a hold has no
 * stamp (0): then only the mode is asked.
 */
final class StampedHolds {
    private StampedHolds() {}

    static boolean inPlace(StampedLock lock, boolean write, long stamp) {
        boolean locked = write ? lock.isWriteLocked() : lock.isReadLocked();
        return locked && (stamp == 0 || lock.validate(stamp));
    }
}
