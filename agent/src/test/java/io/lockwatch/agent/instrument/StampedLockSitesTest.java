package io.lockwatch.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;
import org.junit.jupiter.api.Test;

/** Every call of a {@code StampedLock} that takes or gives up the lock becomes the tracker's; optimistic reads stay. */
class StampedLockSitesTest {
    private static final String TRACKER = "INVOKESTATIC io/lockwatch/runtime/track/LockTracker.";
    private static final String SL = "(Ljava/util/concurrent/locks/StampedLock;";

    /** Compiled by javac, renamed out of lockwatch's packages by the test. */
    static final class Uses {
        static long all(StampedLock lock) throws InterruptedException {
            long w = lock.writeLock();
            long r = lock.tryConvertToReadLock(w);
            lock.unlockRead(r);
            long o = lock.tryOptimisticRead();
            if (!lock.validate(o)) o = 0;
            long r2 = lock.readLock();
            long w2 = lock.tryConvertToWriteLock(r2);
            lock.unlock(w2);
            long t = lock.tryWriteLock(1, TimeUnit.SECONDS);
            lock.tryConvertToOptimisticRead(t);
            lock.unlockWrite(lock.writeLockInterruptibly());
            lock.unlockRead(lock.readLockInterruptibly());
            lock.tryUnlockWrite();
            lock.tryUnlockRead();
            return lock.tryWriteLock() + lock.tryReadLock() + lock.tryReadLock(1, TimeUnit.SECONDS) + o;
        }
    }

    @Test
    void eachCallThatTakesOrGivesUpTheLockCallsTheTracker() {
        List<String> calls = new ArrayList<>();
        for (String line : InstrumentedCode.instrumentedCode(InstrumentedCode.javacClass(Uses.class, "test/StampedUses"), "all")) {
            if (line.startsWith("INVOKE")) calls.add(line);
        }
        String timed = "JLjava/util/concurrent/TimeUnit;I)J";
        assertEquals(List.of(
                TRACKER + "writeLock" + SL + "I)J",
                TRACKER + "tryConvertToReadLock" + SL + "JI)J",
                TRACKER + "unlockRead" + SL + "J)V",
                "INVOKE 182 java/util/concurrent/locks/StampedLock.tryOptimisticRead()J",
                "INVOKE 182 java/util/concurrent/locks/StampedLock.validate(J)Z",
                TRACKER + "readLock" + SL + "I)J",
                TRACKER + "tryConvertToWriteLock" + SL + "JI)J",
                TRACKER + "unlock" + SL + "J)V",
                TRACKER + "tryWriteLock" + SL + timed,
                TRACKER + "tryConvertToOptimisticRead" + SL + "J)J",
                TRACKER + "writeLockInterruptibly" + SL + "I)J",
                TRACKER + "unlockWrite" + SL + "J)V",
                TRACKER + "readLockInterruptibly" + SL + "I)J",
                TRACKER + "unlockRead" + SL + "J)V",
                TRACKER + "tryUnlockWrite" + SL + ")Z",
                TRACKER + "tryUnlockRead" + SL + ")Z",
                TRACKER + "tryWriteLock" + SL + "I)J",
                TRACKER + "tryReadLock" + SL + "I)J",
                TRACKER + "tryReadLock" + SL + timed), calls);
    }
}
