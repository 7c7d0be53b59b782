package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The shutdown that never ends: "stopper" holds the service's lock while it joins "worker", and the worker needs that
 * lock to finish its last step. The stopper waits for the worker to end, the worker for the stopper's lock. The JVM's
 * deadlock search sees only the worker's wait (a join waits on the worker's own monitor, which no thread owns).
 * "monitor" takes a {@code synchronized} block, "lock" a {@code ReentrantLock}. Prints "joining" once the stopper is
 * in its join and the worker waits for the lock, and "waited" 5 s later (past a 2 s stall threshold); never ends.
 */
public final class JoinUnderLock {
    private static final Object STATE = new Object();
    private static final ReentrantLock LOCK = new ReentrantLock();

    public static void main(String[] args) throws Exception {
        boolean monitor = args[0].equals("monitor");
        Thread worker = new Thread(() -> {
            if (monitor) {
                synchronized (STATE) {
                    finish();
                }
            } else {
                LOCK.lock();
                try {
                    finish();
                } finally {
                    LOCK.unlock();
                }
            }
        }, "worker");
        Thread stopper = new Thread(() -> {
            if (monitor) {
                synchronized (STATE) {
                    startAndJoin(worker);
                }
            } else {
                LOCK.lock();
                try {
                    startAndJoin(worker);
                } finally {
                    LOCK.unlock();
                }
            }
        }, "stopper");
        stopper.start();
        Thread.State workerWaits = monitor ? Thread.State.BLOCKED : Thread.State.WAITING;
        while (stopper.getState() != Thread.State.WAITING || worker.getState() != workerWaits) Thread.sleep(10);
        System.out.println("joining");
        Thread.sleep(5000);
        System.out.println("waited");
        stopper.join();
    }

    private static void finish() {
        System.out.println("worker finished");
    }

    /** Started under the lock, so that the worker's first step waits for it. */
    private static void startAndJoin(Thread worker) {
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
