package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;

/**
 * Two threads whose ids are 4,096 apart, so that they share a slot of the agent's per-thread state cache
 * (whatever its size, up to that). The first holds X while the second takes Y on its own; later a third
 * thread, concurrent with both, takes Y then X. Only Y -> X exists. Had the second thread been handed the
 * first one's state, its Y would have been taken "under" X: an edge X -> Y, and with Y -> X a cycle.
 */
public final class ThreadsSharingASlot {
    static final Object X = new Object();
    static final Object Y = new Object();

    public static void main(String[] args) throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch reverse = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            synchronized (X) {
                holding.countDown();
                await(release);
            }
        }, "holder");
        Thread reverser = new Thread(() -> {
            await(reverse);
            synchronized (Y) {
                synchronized (X) {
                    System.out.println("y then x");
                }
            }
        }, "reverser");
        holder.start();
        reverser.start();
        holding.await();

        // A thread's id is given when it is constructed: construct (and drop) threads until one shares the slot.
        Thread slotmate;
        do {
            slotmate = new Thread(() -> {
                synchronized (Y) {
                    System.out.println("y alone");
                }
            }, "slotmate");
        } while ((slotmate.getId() - holder.getId()) % 4096 != 0);
        slotmate.start();
        slotmate.join();

        release.countDown();
        holder.join();
        reverse.countDown();
        reverser.join();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
