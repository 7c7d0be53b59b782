package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Long waits that are not hangs: threads wait far longer than the threshold on a latch, a condition, a
 * semaphore, a join and an idle pool's queue, holding only locks nobody else wants, while another thread
 * keeps taking the condition's lock. Says "waited" after the first argument's milliseconds, then hangs.
 */
public final class QuietWaits {
    static final Object PRIVATE_MONITOR = new Object();
    static final ReentrantLock PRIVATE_LOCK = new ReentrantLock();
    static final ReentrantLock SHARED = new ReentrantLock();
    static final Condition NEVER = SHARED.newCondition();

    public static void main(String[] args) throws Exception {
        long waitMillis = Long.parseLong(args[0]);
        CountDownLatch never = new CountDownLatch(1);
        start("latch-waiter", () -> {
            synchronized (PRIVATE_MONITOR) {
                Hang.await(never);
            }
        });
        start("condition-waiter", () -> {
            SHARED.lock();
            try {
                NEVER.awaitUninterruptibly(); // releases SHARED while it waits
            } finally {
                SHARED.unlock();
            }
        });
        start("semaphore-waiter", () -> {
            PRIVATE_LOCK.lock();
            try {
                new Semaphore(0).acquireUninterruptibly();
            } finally {
                PRIVATE_LOCK.unlock();
            }
        });
        Thread sleeper = start("sleeper", () -> {
            while (true) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        start("joiner", () -> {
            try {
                sleeper.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        start("ticker", () -> {
            while (true) {
                SHARED.lock();
                SHARED.unlock();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(2);
        pool.submit(() -> System.out.println("pool task ran")).get();
        System.out.println("waiting");
        Thread.sleep(waitMillis);
        System.out.println("waited");
        Hang.forever();
    }

    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
