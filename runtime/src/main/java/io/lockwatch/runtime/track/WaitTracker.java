package io.lockwatch.runtime.track;

import io.lockwatch.runtime.events.WaitEvent;
import java.util.Date;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;

/**
 * What instrumented call sites of owner-less waits call instead: each method does exactly what the
 * original call does (same arguments, result, exceptions and blocking) and, when the wait may block,
 * records it as a {@link WaitEvent} if it lasted at least the contention threshold.
 *
 * <p>Calls that cannot block (a latch already at zero, a semaphore with permits to spare) go straight
 * through. The rest are waits by nature (a barrier, a phaser, a condition), rare next to lock
 * acquisitions, and cost one event object and two clock reads while a recording wants the event.
 */
public final class WaitTracker {
    public static final String CONDITION = "condition";
    public static final String SEMAPHORE = "semaphore";
    public static final String LATCH = "latch";
    public static final String BARRIER = "barrier";
    public static final String PHASER = "phaser";

    private WaitTracker() {}

    /** Loads and initializes this class (see {@link LockTracker#start}). */
    static void load() {}

    // ---- CountDownLatch ----

    public static void await(CountDownLatch latch, int site) throws InterruptedException {
        if (latch.getCount() == 0) {
            latch.await();
            return;
        }
        WaitEvent e = Contention.beginWait();
        try {
            latch.await();
        } finally {
            Contention.endWait(e, LATCH, latch, site);
        }
    }

    public static boolean await(CountDownLatch latch, long timeout, TimeUnit unit, int site) throws InterruptedException {
        if (latch.getCount() == 0) return latch.await(timeout, unit);
        WaitEvent e = Contention.beginWait();
        try {
            return latch.await(timeout, unit);
        } finally {
            Contention.endWait(e, LATCH, latch, site);
        }
    }

    // ---- Semaphore ----

    public static void acquire(Semaphore semaphore, int site) throws InterruptedException {
        acquire(semaphore, 1, site);
    }

    public static void acquire(Semaphore semaphore, int permits, int site) throws InterruptedException {
        if (semaphore.availablePermits() >= permits) {
            semaphore.acquire(permits);
            return;
        }
        WaitEvent e = Contention.beginWait();
        try {
            semaphore.acquire(permits);
        } finally {
            Contention.endWait(e, SEMAPHORE, semaphore, site);
        }
    }

    public static void acquireUninterruptibly(Semaphore semaphore, int site) {
        acquireUninterruptibly(semaphore, 1, site);
    }

    public static void acquireUninterruptibly(Semaphore semaphore, int permits, int site) {
        if (semaphore.availablePermits() >= permits) {
            semaphore.acquireUninterruptibly(permits);
            return;
        }
        WaitEvent e = Contention.beginWait();
        try {
            semaphore.acquireUninterruptibly(permits);
        } finally {
            Contention.endWait(e, SEMAPHORE, semaphore, site);
        }
    }

    public static boolean tryAcquire(Semaphore semaphore, long timeout, TimeUnit unit, int site) throws InterruptedException {
        return tryAcquire(semaphore, 1, timeout, unit, site);
    }

    public static boolean tryAcquire(Semaphore semaphore, int permits, long timeout, TimeUnit unit, int site)
            throws InterruptedException {
        if (semaphore.availablePermits() >= permits || timeout <= 0) return semaphore.tryAcquire(permits, timeout, unit);
        WaitEvent e = Contention.beginWait();
        try {
            return semaphore.tryAcquire(permits, timeout, unit);
        } finally {
            Contention.endWait(e, SEMAPHORE, semaphore, site);
        }
    }

    // ---- CyclicBarrier ----

    public static int await(CyclicBarrier barrier, int site) throws InterruptedException, BrokenBarrierException {
        WaitEvent e = Contention.beginWait();
        try {
            return barrier.await();
        } finally {
            Contention.endWait(e, BARRIER, barrier, site);
        }
    }

    public static int await(CyclicBarrier barrier, long timeout, TimeUnit unit, int site)
            throws InterruptedException, BrokenBarrierException, TimeoutException {
        WaitEvent e = Contention.beginWait();
        try {
            return barrier.await(timeout, unit);
        } finally {
            Contention.endWait(e, BARRIER, barrier, site);
        }
    }

    // ---- Phaser ----

    public static int arriveAndAwaitAdvance(Phaser phaser, int site) {
        WaitEvent e = Contention.beginWait();
        try {
            return phaser.arriveAndAwaitAdvance();
        } finally {
            Contention.endWait(e, PHASER, phaser, site);
        }
    }

    public static int awaitAdvance(Phaser phaser, int phase, int site) {
        WaitEvent e = Contention.beginWait();
        try {
            return phaser.awaitAdvance(phase);
        } finally {
            Contention.endWait(e, PHASER, phaser, site);
        }
    }

    public static int awaitAdvanceInterruptibly(Phaser phaser, int phase, int site) throws InterruptedException {
        WaitEvent e = Contention.beginWait();
        try {
            return phaser.awaitAdvanceInterruptibly(phase);
        } finally {
            Contention.endWait(e, PHASER, phaser, site);
        }
    }

    public static int awaitAdvanceInterruptibly(Phaser phaser, int phase, long timeout, TimeUnit unit, int site)
            throws InterruptedException, TimeoutException {
        WaitEvent e = Contention.beginWait();
        try {
            return phaser.awaitAdvanceInterruptibly(phase, timeout, unit);
        } finally {
            Contention.endWait(e, PHASER, phaser, site);
        }
    }

    // ---- Condition ----

    public static void await(Condition condition, int site) throws InterruptedException {
        WaitEvent e = Contention.beginWait();
        try {
            condition.await();
        } finally {
            Contention.endWait(e, CONDITION, condition, site);
        }
    }

    public static boolean await(Condition condition, long time, TimeUnit unit, int site) throws InterruptedException {
        WaitEvent e = Contention.beginWait();
        try {
            return condition.await(time, unit);
        } finally {
            Contention.endWait(e, CONDITION, condition, site);
        }
    }

    public static long awaitNanos(Condition condition, long nanos, int site) throws InterruptedException {
        WaitEvent e = Contention.beginWait();
        try {
            return condition.awaitNanos(nanos);
        } finally {
            Contention.endWait(e, CONDITION, condition, site);
        }
    }

    public static void awaitUninterruptibly(Condition condition, int site) {
        WaitEvent e = Contention.beginWait();
        try {
            condition.awaitUninterruptibly();
        } finally {
            Contention.endWait(e, CONDITION, condition, site);
        }
    }

    public static boolean awaitUntil(Condition condition, Date deadline, int site) throws InterruptedException {
        WaitEvent e = Contention.beginWait();
        try {
            return condition.awaitUntil(deadline);
        } finally {
            Contention.endWait(e, CONDITION, condition, site);
        }
    }
}
