package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;

/**
 * Lock orders separated by Thread.start or Thread.join cannot deadlock each other:
 * <ul>
 *   <li>"start": main takes A then B, then starts a worker that takes B then A. Nothing.</li>
 *   <li>"start-again" (real): as "start", but main takes A then B once more after the start.</li>
 *   <li>"join": worker-1 takes A then B; worker-2 joins worker-1, then takes B then A. Nothing.</li>
 *   <li>"before-join" (real): worker-2 takes B then A before it joins worker-1 (a latch keeps the order).</li>
 * </ul>
 */
public final class StartJoinOrder {
    static final Object A = new Object();
    static final Object B = new Object();

    static void ab() {
        synchronized (A) {
            synchronized (B) {
                Thread.onSpinWait();
            }
        }
    }

    static void ba() {
        synchronized (B) {
            synchronized (A) {
                Thread.onSpinWait();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "start":
            case "start-again": {
                ab();
                CountDownLatch workerDone = new CountDownLatch(1);
                Thread worker = new Thread(() -> {
                    ba();
                    workerDone.countDown();
                }, "worker");
                worker.start();
                workerDone.await(); // not a join: main stays concurrent with the worker
                if (args[0].equals("start-again")) ab();
                worker.join();
                break;
            }
            default: {
                CountDownLatch firstDone = new CountDownLatch(1);
                Thread first = new Thread(() -> {
                    ab();
                    firstDone.countDown();
                }, "worker-1");
                boolean beforeJoin = args[0].equals("before-join");
                Thread second = new Thread(() -> {
                    try {
                        if (beforeJoin) {
                            firstDone.await();
                            ba();
                            first.join();
                        } else {
                            first.join();
                            ba();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "worker-2");
                first.start();
                second.start();
                second.join();
            }
        }
        System.out.println("done");
    }
}
