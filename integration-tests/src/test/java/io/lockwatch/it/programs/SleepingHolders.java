package io.lockwatch.it.programs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks held across short sleeps, again and again: pairs of platform threads, "holder-N" taking its pair's lock
 * (not fair) and sleeping 25 ms under it, then letting it go for a millisecond, and "contender-N" taking it
 * whenever it can, which is seldom. Each sleep is short; no wait is long, and the contender is starved by the
 * holder's pace, not stuck behind one wait: no stall. Runs {@code args[1]} milliseconds with {@code args[0]} pairs,
 * prints "done" and exits.
 */
public final class SleepingHolders {
    public static void main(String[] args) throws Exception {
        int pairs = Integer.parseInt(args[0]);
        long millis = Long.parseLong(args[1]);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            ReentrantLock lock = new ReentrantLock();
            threads.add(new Thread(() -> {
                while (true) {
                    lock.lock();
                    try {
                        Thread.sleep(25);
                    } catch (InterruptedException e) {
                        return;
                    } finally {
                        lock.unlock();
                    }
                    pause(); // as EveryLockProblem's loops: the moment in which a snapshot can miss the contender's wait
                }
            }, "holder-" + i));
            threads.add(new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    lock.lock();
                    lock.unlock();
                }
            }, "contender-" + i));
        }
        for (Thread t : threads) {
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep(millis);
        System.out.println("done");
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
