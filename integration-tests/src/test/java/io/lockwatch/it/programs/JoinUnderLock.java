package io.lockwatch.it.programs;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The shutdown that never ends: "stopper" holds the service's lock while it joins "worker", and the worker needs that
 * lock to finish its last step. The stopper waits for the worker to end, the worker for the stopper's lock. The JVM's
 * deadlock search sees only the worker's wait (a join waits on the worker's own monitor, which no thread owns).
 * "monitor" takes a {@code synchronized} block, "lock" a {@code ReentrantLock}; "virtual-monitor" and "virtual-lock"
 * do the same with two virtual threads (JDK 21 and later), "virtual-worker" with a monitor, a platform stopper and a
 * virtual worker, "virtual-stopper" with a monitor, a virtual stopper and a platform worker. A mode with "-timed"
 * after it joins with an hour's timeout, which ends by itself. Prints "joining" once the stopper is in its join and
 * the worker waits for the lock, and "waited" 5 s later (past a 2 s stall threshold); never ends.
 */
public final class JoinUnderLock {
    private static final Object STATE = new Object();
    private static final ReentrantLock LOCK = new ReentrantLock();

    public static void main(String[] args) throws Exception {
        boolean timed = args[0].endsWith("-timed");
        String mode = timed ? args[0].substring(0, args[0].length() - "-timed".length()) : args[0];
        boolean monitor = !mode.endsWith("lock");
        Thread worker = VirtualThreads.unstarted("worker", mode.startsWith("virtual") && !mode.equals("virtual-stopper"), () -> {
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
        });
        Thread stopper = VirtualThreads.unstarted("stopper", mode.startsWith("virtual") && !mode.equals("virtual-worker"), () -> {
            if (monitor) {
                synchronized (STATE) {
                    startAndJoin(worker, timed);
                }
            } else {
                LOCK.lock();
                try {
                    startAndJoin(worker, timed);
                } finally {
                    LOCK.unlock();
                }
            }
        });
        stopper.start();
        Thread.State workerWaits = monitor ? Thread.State.BLOCKED : Thread.State.WAITING;
        Thread.State stopperWaits = timed ? Thread.State.TIMED_WAITING : Thread.State.WAITING;
        while (stopper.getState() != stopperWaits || worker.getState() != workerWaits) Thread.sleep(10);
        System.out.println("joining");
        Thread.sleep(5000);
        System.out.println("waited");
        stopper.join();
    }


    private static void finish() {
        System.out.println("worker finished");
    }

    /** Started under the lock, so that the worker's first step waits for it. */
    private static void startAndJoin(Thread worker, boolean timed) {
        worker.start();
        if (!timed) {
            Hang.join(worker);
            return;
        }
        try {
            worker.join(3_600_000);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
