package io.lockwatch.it.programs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks held across short sleeps, again and again: pairs of platform threads, "holder-N" taking its pair's lock
 * (not fair) and sleeping 25 ms under it, then letting it go for a millisecond, and "contender-N" taking it
 * whenever it can, which is seldom. Each sleep is short; no wait is long, and the contender is starved by the
 * holder's pace, not stuck behind one wait: no stall. Runs {@code args[1]} milliseconds with {@code args[0]} pairs,
 * prints "done" and exits. With {@code args[2]} "virtual" the pairs are virtual threads (JDK 21 and later), whose
 * waits no JVM snapshot counts, and each contender pauses a millisecond after each of its holds. With {@code args[3]}
 * "wait" each holder waits 25 ms on a monitor of its own ({@code Object.wait}, which on JDK 24 and later unmounts a
 * virtual thread without a park) instead of sleeping.
 */
public final class SleepingHolders {
    public static void main(String[] args) throws Exception {
        int pairs = Integer.parseInt(args[0]);
        long millis = Long.parseLong(args[1]);
        boolean virtual = args.length > 2 && args[2].equals("virtual");
        boolean monitorWaits = args.length > 3 && args[3].equals("wait");
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            ReentrantLock lock = new ReentrantLock();
            Object pace = new Object();
            threads.add(VirtualThreads.unstarted("holder-" + i, virtual, () -> {
                while (true) {
                    try {
                        lock.lock();
                        try {
                            rest(25, monitorWaits ? pace : null);
                        } finally {
                            lock.unlock();
                        }
                        // As EveryLockProblem's loops: the moment in which a snapshot can miss the contender's wait. The
                        // same kind of wait as under the lock, so that no park is counted in "wait" mode.
                        rest(1, monitorWaits ? pace : null);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
            threads.add(VirtualThreads.unstarted("contender-" + i, virtual, () -> {
                while (true) {
                    lock.lock();
                    lock.unlock();
                    // A virtual thread that spins keeps its carrier (Thread.yield too, as the scheduler runs yielded
                    // threads before woken ones): on two cores, two such loops left the holders' ended sleeps no carrier
                    // to go on with, one wait of seconds (a true stall). Each virtual contender sleeps a little instead.
                    try {
                        if (virtual) rest(1, null);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        for (Thread t : threads) {
            if (!virtual) t.setDaemon(true); // a virtual thread is always one
            t.start();
        }
        Thread.sleep(millis);
        System.out.println("done");
    }

    /** Sleeps, or waits on {@code monitor} when there is one (nobody notifies it: the wait ends by its timeout). */
    private static void rest(long millis, Object monitor) throws InterruptedException {
        if (monitor == null) {
            Thread.sleep(millis);
            return;
        }
        synchronized (monitor) {
            monitor.wait(millis);
        }
    }
}
