package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Deadlocks with virtual threads in them (JDK 21 and later), which the JVM's own deadlock search does not see.
 * Each mode's two threads each take one lock, meet, and then want the other's:
 * <ul>
 *   <li>{@code monitors}: virtual threads "v-alpha" and "v-beta", two monitors;</li>
 *   <li>{@code locks}: the same with two {@code ReentrantLock}s;</li>
 *   <li>{@code mixed}: virtual "v-alpha" holds a monitor and wants a {@code ReentrantLock} that platform thread
 *       "p-beta" holds while it wants the monitor;</li>
 *   <li>{@code read-write}: virtual "v-reader" holds a read lock and wants a monitor that virtual "v-writer"
 *       holds while it wants the write lock: a lock with no owner in the JDK's eyes.</li>
 *   <li>{@code locks-behind}: {@code locks}, and once both wait, requests pile up behind them: virtual
 *       "v-request-1" waits for v-alpha's lock, virtual "v-request-2" takes a monitor and waits for that lock too,
 *       and platform thread "p-request-3" waits for v-request-2's monitor. Prints "piled up" once all three
 *       were started.</li>
 * </ul>
 * With {@code args[1]} = N, first N short-lived virtual threads (each takes a monitor, so lockwatch watches it)
 * start and end, 1,000 at a time, as fast as they can: more than lockwatch watches at once, between two checks.
 */
public final class VirtualDeadlock {
    static final Object MONITOR_A = new Object();
    static final Object MONITOR_B = new Object();
    static final ReentrantLock LOCK_A = new ReentrantLock();
    static final ReentrantLock LOCK_B = new ReentrantLock();
    static final ReentrantReadWriteLock READ_WRITE = new ReentrantReadWriteLock();

    public static void main(String[] args) throws Exception {
        if (args.length > 1) flood(Integer.parseInt(args[1]));
        CyclicBarrier bothHoldOne = new CyclicBarrier(2);
        Thread first;
        Thread second;
        switch (args[0]) {
            case "monitors":
                first = virtual("v-alpha", () -> MonitorDeadlock.takeBoth(MONITOR_A, MONITOR_B, bothHoldOne));
                second = virtual("v-beta", () -> MonitorDeadlock.takeBoth(MONITOR_B, MONITOR_A, bothHoldOne));
                break;
            case "locks":
            case "locks-behind":
                first = virtual("v-alpha", () -> locks(LOCK_A, LOCK_B, bothHoldOne));
                second = virtual("v-beta", () -> locks(LOCK_B, LOCK_A, bothHoldOne));
                break;
            case "mixed": // MixedDeadlock's two threads, the first of them virtual
                first = virtual("v-alpha", () -> MixedDeadlock.monitorThenLock(bothHoldOne));
                second = new Thread(() -> MixedDeadlock.lockThenMonitor(bothHoldOne), "p-beta");
                break;
            case "read-write":
                first = virtual("v-reader", () -> {
                    READ_WRITE.readLock().lock();
                    try {
                        Hang.await(bothHoldOne);
                        synchronized (MONITOR_A) {
                            System.out.println("unreachable");
                        }
                    } finally {
                        READ_WRITE.readLock().unlock();
                    }
                });
                second = virtual("v-writer", () -> {
                    synchronized (MONITOR_A) {
                        Hang.await(bothHoldOne);
                        READ_WRITE.writeLock().lock();
                        READ_WRITE.writeLock().unlock();
                    }
                });
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
        first.start();
        second.start();
        System.out.println("started");
        if (args[0].equals("locks-behind")) pileUpBehind();
        first.join(); // never returns
    }

    /** Three requests that wait behind v-alpha, one of them through another (LOCK_A is v-alpha's). */
    private static void pileUpBehind() throws Exception {
        while (!LOCK_A.hasQueuedThreads() || !LOCK_B.hasQueuedThreads()) Thread.sleep(10); // both wait
        virtual("v-request-1", () -> {
            LOCK_A.lock();
            LOCK_A.unlock();
        }).start();
        CountDownLatch monitorHeld = new CountDownLatch(1);
        virtual("v-request-2", () -> {
            synchronized (MONITOR_A) {
                monitorHeld.countDown();
                LOCK_A.lock();
                LOCK_A.unlock();
            }
        }).start();
        monitorHeld.await();
        new Thread(() -> {
            synchronized (MONITOR_A) {
                System.out.println("unreachable");
            }
        }, "p-request-3").start();
        System.out.println("piled up");
    }

    private static void flood(int threads) throws Exception {
        Object monitor = new Object();
        Thread[] batch = new Thread[1000];
        for (int started = 0; started < threads; started += batch.length) {
            for (int i = 0; i < batch.length; i++) {
                batch[i] = VirtualThreads.unstarted(() -> {
                    synchronized (monitor) {
                        Thread.onSpinWait();
                    }
                });
                batch[i].start();
            }
            for (Thread t : batch) t.join();
        }
        System.out.println("flooded");
    }

    static void locks(ReentrantLock mine, ReentrantLock theirs, CyclicBarrier bothHoldOne) {
        mine.lock();
        try {
            Hang.await(bothHoldOne);
            theirs.lock();
            theirs.unlock();
        } finally {
            mine.unlock();
        }
    }

    static Thread virtual(String name, Runnable task) {
        try {
            Thread thread = VirtualThreads.unstarted(task);
            thread.setName(name);
            return thread;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("virtual threads need JDK 21 or later", e);
        }
    }
}
