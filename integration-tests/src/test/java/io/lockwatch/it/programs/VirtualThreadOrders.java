package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;

/**
 * Two monitors taken in both orders, by virtual threads (JDK 21 and later). Argument:
 * <ul>
 *   <li>{@code start}: main takes A then B, then starts a virtual thread that takes B then A, and joins it.
 *       The start orders them: they cannot deadlock.</li>
 *   <li>{@code join}: a virtual thread takes A then B; main joins it, then takes B then A. The join orders
 *       them.</li>
 *   <li>{@code concurrent}: two virtual threads that run at the same time, one after the other only by luck
 *       (a latch, which lockwatch does not count as ordering): an inversion.</li>
 *   <li>{@code double-start}: starts a finished virtual thread again and says what it caught.</li>
 * </ul>
 */
public final class VirtualThreadOrders {
    static final Object A = new Object();
    static final Object B = new Object();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "start": {
                synchronized (A) {
                    synchronized (B) {
                        work();
                    }
                }
                Thread child = virtual(VirtualThreadOrders::bThenA);
                child.start();
                child.join();
                break;
            }
            case "join": {
                Thread child = virtual(VirtualThreadOrders::aThenB);
                child.start();
                child.join();
                bThenA();
                break;
            }
            case "concurrent": {
                CountDownLatch firstDone = new CountDownLatch(1);
                Thread first = virtual(() -> {
                    aThenB();
                    firstDone.countDown();
                });
                Thread second = virtual(() -> {
                    try {
                        firstDone.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    bThenA();
                });
                second.start();
                first.start();
                first.join();
                second.join();
                break;
            }
            case "double-start": {
                Thread worker = virtual(VirtualThreadOrders::work);
                worker.start();
                worker.join();
                try {
                    worker.start();
                    System.out.println("no exception");
                } catch (IllegalThreadStateException e) {
                    System.out.println("caught " + e.getClass().getName());
                }
                break;
            }
            default:
                throw new IllegalArgumentException(args[0]);
        }
        System.out.println("done");
    }

    static Thread virtual(Runnable task) throws ReflectiveOperationException {
        return VirtualThreads.unstarted(task);
    }

    static void aThenB() {
        synchronized (A) {
            synchronized (B) {
                work();
            }
        }
    }

    static void bThenA() {
        synchronized (B) {
            synchronized (A) {
                work();
            }
        }
    }

    static void work() {}
}
