package io.lockwatch.it.programs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A service with every lock problem the dashboard and the alerts show, for the live dashboard test.
 *
 * <p>From the start it keeps every primitive contended (monitor, ReentrantLock, read/write lock,
 * Condition, Object.wait, Semaphore, CountDownLatch, CyclicBarrier, Phaser, Thread.join) and prints
 * "contending". When the file named by its argument appears (the test creates it once Prometheus has
 * scraped the agent's zeros), it adds, in this order: a lock-order inversion that does not hang
 * (threads "inverter-1" then "inverter-2"), a stall (thread "stall-waiter" holds a lock and awaits a
 * latch that only "stall-signaller", blocked on that lock, would count down) and a real monitor deadlock
 * between "deadlock-1" and "deadlock-2"; then prints "troubled". It never exits: the test kills it.
 */
public final class EveryLockProblem {
    static final long HOLD_MILLIS = 25;

    public static void main(String[] args) throws Exception {
        Path go = Paths.get(args[0]);
        contendEveryPrimitive();
        System.out.println("contending");

        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.exists(go)) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no go file " + go);
            Thread.sleep(20);
        }
        invertLockOrder();
        stall();
        deadlock();
        System.out.println("troubled");
        Thread.sleep(Long.MAX_VALUE);
    }

    /** inverter-1 takes a then b; after it ends, inverter-2 takes b then a. Nothing hangs. */
    static void invertLockOrder() throws InterruptedException {
        Object a = new Object();
        Object b = new Object();
        Thread first = new Thread(() -> {
            synchronized (a) {
                synchronized (b) {
                    hold();
                }
            }
        }, "inverter-1");
        first.start();
        first.join();
        Thread second = new Thread(() -> {
            synchronized (b) {
                synchronized (a) {
                    hold();
                }
            }
        }, "inverter-2");
        second.start();
        second.join();
    }

    /** stall-waiter holds the lock and waits for a latch that only stall-signaller, blocked on the lock, would open. */
    static void stall() throws InterruptedException {
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch latch = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            lock.lock();
            try {
                holding.countDown();
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        }, "stall-waiter");
        Thread signaller = new Thread(() -> {
            lock.lock();
            try {
                latch.countDown();
            } finally {
                lock.unlock();
            }
        }, "stall-signaller");
        daemon(waiter).start();
        holding.await();
        daemon(signaller).start();
    }

    /** deadlock-1 holds left and wants right; deadlock-2 holds right and wants left. */
    static void deadlock() throws InterruptedException {
        Object left = new Object();
        Object right = new Object();
        CountDownLatch bothHold = new CountDownLatch(2);
        daemon(new Thread(() -> {
            synchronized (left) {
                arriveAndWait(bothHold);
                synchronized (right) {
                    hold();
                }
            }
        }, "deadlock-1")).start();
        daemon(new Thread(() -> {
            synchronized (right) {
                arriveAndWait(bothHold);
                synchronized (left) {
                    hold();
                }
            }
        }, "deadlock-2")).start();
        bothHold.await();
    }

    static void contendEveryPrimitive() {
        Object monitor = new Object();
        ReentrantLock lock = new ReentrantLock();
        Condition condition = lock.newCondition();
        ReentrantReadWriteLock readWrite = new ReentrantReadWriteLock();
        Semaphore semaphore = new Semaphore(1);
        CyclicBarrier barrier = new CyclicBarrier(2);
        Phaser phaser = new Phaser(2);
        Object waitNotify = new Object();
        for (int i = 0; i < 2; i++) {
            boolean late = i == 0; // one party of the barrier and the phaser arrives late, so the other waits
            loop("monitor-" + i, () -> {
                synchronized (monitor) {
                    hold();
                }
            });
            loop("lock-" + i, () -> {
                lock.lock();
                try {
                    hold();
                    condition.signalAll();
                } finally {
                    lock.unlock();
                }
            });
            loop("writer-" + i, () -> {
                readWrite.writeLock().lock();
                try {
                    hold();
                } finally {
                    readWrite.writeLock().unlock();
                }
            });
            loop("semaphore-" + i, () -> {
                semaphore.acquire();
                try {
                    hold();
                } finally {
                    semaphore.release();
                }
            });
            loop("barrier-" + i, () -> {
                if (late) hold();
                barrier.await(5, TimeUnit.SECONDS);
            });
            loop("phaser-" + i, () -> {
                if (late) hold();
                phaser.arriveAndAwaitAdvance();
            });
        }
        loop("reader", () -> {
            readWrite.readLock().lock();
            try {
                hold();
            } finally {
                readWrite.readLock().unlock();
            }
        });
        loop("condition-waiter", () -> {
            lock.lock();
            try {
                condition.await(1, TimeUnit.SECONDS);
            } finally {
                lock.unlock();
            }
        });
        loop("latch-waiter", () -> {
            CountDownLatch latch = new CountDownLatch(1);
            new Thread(() -> {
                hold();
                latch.countDown();
            }, "latch-opener").start();
            latch.await();
        });
        loop("object-waiter", () -> {
            synchronized (waitNotify) {
                new Thread(() -> {
                    hold();
                    synchronized (waitNotify) {
                        waitNotify.notifyAll();
                    }
                }, "notifier").start();
                waitNotify.wait(1000);
            }
        });
        loop("joiner", () -> {
            Thread sleeper = new Thread(EveryLockProblem::hold, "sleeper");
            sleeper.start();
            sleeper.join();
        });
    }

    interface Step {
        void run() throws Exception;
    }

    /**
     * Runs the step again and again, with a millisecond between runs outside any lock. Without it a thread could take
     * a lock that is not fair again the moment it let it go, and keep it for seconds while the others starve: in a CI
     * run, "writer-0" held the read/write lock for 2 s of 25 ms sleeps, and that was a stall before any trouble.
     */
    private static void loop(String name, Step step) {
        daemon(new Thread(() -> {
            while (true) {
                try {
                    step.run();
                    Thread.sleep(1);
                } catch (Exception e) {
                    // a barrier that timed out: go round again
                }
            }
        }, name)).start();
    }

    private static Thread daemon(Thread t) {
        t.setDaemon(true);
        return t;
    }

    private static void arriveAndWait(CountDownLatch latch) {
        latch.countDown();
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void hold() {
        try {
            Thread.sleep(HOLD_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
