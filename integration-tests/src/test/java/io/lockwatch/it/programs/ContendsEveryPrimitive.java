package io.lockwatch.it.programs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;

/**
 * Keeps every primitive of lockwatch's vocabulary contended for the given number of seconds: a monitor,
 * Object.wait, a ReentrantLock and its Condition, a read/write lock (both sides), a StampedLock (both sides), a
 * Semaphore, a CountDownLatch, a CyclicBarrier, a Phaser, Thread.join and a thread pool. Each wait lasts about
 * {@link #HOLD_MILLIS}, well above the default contention threshold. Prints "contending" once every
 * worker runs and "done" at the end, and exits 0.
 */
public final class ContendsEveryPrimitive {
    static final long HOLD_MILLIS = 25;
    static volatile boolean running = true;
    static long leafAcquisitions;

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 6;
        List<Thread> threads = new ArrayList<>();
        Object monitor = new Object();
        ReentrantLock lock = new ReentrantLock();
        Condition condition = lock.newCondition();
        ReentrantReadWriteLock readWrite = new ReentrantReadWriteLock();
        StampedLock stamped = new StampedLock();
        Semaphore semaphore = new Semaphore(1);
        CyclicBarrier barrier = new CyclicBarrier(2);
        Phaser phaser = new Phaser(2);
        Object waitNotify = new Object();
        ExecutorService pool = Executors.newFixedThreadPool(2);

        for (int i = 0; i < 2; i++) {
            threads.add(worker("monitor-" + i, () -> {
                synchronized (monitor) {
                    hold();
                }
            }));
            threads.add(worker("lock-" + i, () -> {
                lock.lock();
                try {
                    hold();
                    condition.signalAll();
                } finally {
                    lock.unlock();
                }
            }));
            threads.add(worker("semaphore-" + i, () -> {
                semaphore.acquire();
                try {
                    hold();
                } finally {
                    semaphore.release();
                }
            }));
            threads.add(worker("barrier-" + i, () -> {
                if (Thread.currentThread().getName().endsWith("0")) hold();
                barrier.await(5, TimeUnit.SECONDS);
            }));
            threads.add(worker("phaser-" + i, () -> {
                if (Thread.currentThread().getName().endsWith("0")) hold();
                phaser.arriveAndAwaitAdvance();
            }));
        }
        // A leaf section (nothing called inside it): its acquisition is timed like any other.
        threads.add(worker("lock-leaf", () -> {
            lock.lock();
            try {
                leafAcquisitions++;
            } finally {
                lock.unlock();
            }
            Thread.sleep(5);
        }));
        threads.add(worker("condition-waiter", () -> {
            lock.lock();
            try {
                condition.await(1, TimeUnit.SECONDS);
            } finally {
                lock.unlock();
            }
        }));
        threads.add(worker("writer", () -> {
            readWrite.writeLock().lock();
            try {
                hold();
            } finally {
                readWrite.writeLock().unlock();
            }
        }));
        threads.add(worker("reader", () -> {
            readWrite.readLock().lock();
            try {
                hold();
            } finally {
                readWrite.readLock().unlock();
            }
        }));
        threads.add(worker("stamped-writer", () -> {
            long stamp = stamped.writeLock();
            try {
                hold();
            } finally {
                stamped.unlockWrite(stamp);
            }
        }));
        threads.add(worker("stamped-reader", () -> {
            long stamp = stamped.readLock();
            try {
                hold();
            } finally {
                stamped.unlockRead(stamp);
            }
        }));
        threads.add(worker("latch", () -> {
            CountDownLatch latch = new CountDownLatch(1);
            new Thread(() -> {
                hold();
                latch.countDown();
            }, "latch-opener").start();
            latch.await();
        }));
        threads.add(worker("object-wait", () -> {
            synchronized (waitNotify) {
                Thread notifier = new Thread(() -> {
                    hold();
                    synchronized (waitNotify) {
                        waitNotify.notifyAll();
                    }
                }, "notifier");
                notifier.start();
                waitNotify.wait(1000);
            }
        }));
        threads.add(worker("joiner", () -> {
            Thread sleeper = new Thread(ContendsEveryPrimitive::hold, "sleeper");
            sleeper.start();
            sleeper.join();
        }));
        threads.add(worker("pool-client", () -> {
            Future<?> a = pool.submit(() -> {
                synchronized (pool) {
                    hold();
                }
            });
            Future<?> b = pool.submit(() -> {
                synchronized (pool) {
                    hold();
                }
            });
            a.get();
            b.get();
            hold(); // the workers wait for work in the pool's queue meanwhile
        }));

        for (Thread t : threads) t.start();
        System.out.println("contending");
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        running = false;
        phaser.forceTermination();
        barrier.reset();
        for (Thread t : threads) t.join(10_000);
        pool.shutdownNow();
        System.out.println("done");
    }

    interface Step {
        void run() throws Exception;
    }

    private static Thread worker(String name, Step step) {
        Thread t = new Thread(() -> {
            while (running) {
                try {
                    step.run();
                } catch (Exception e) {
                    // a barrier broken or a phaser terminated at the end: stop
                    if (!running) return;
                }
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    static void hold() {
        try {
            Thread.sleep(HOLD_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
