package io.lockwatch.it.programs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Many virtual threads and two platform threads take monitors, {@code ReentrantLock}s and a read/write lock,
 * nested, always in the same order, with hard contention, for {@code args[0]} milliseconds: at any moment most
 * of them are blocked or parked while holding locks, and no cycle is possible. Then "done" and the count.
 */
public final class VirtualThreadsUnderContention {
    /** One of these first (each thread picks by turn), then MIDDLE, then INNER, then the read/write lock. */
    static final Object[] OUTER = {new Object(), new ReentrantLock(), new Object(), new ReentrantLock()};
    static final ReentrantLock MIDDLE = new ReentrantLock();
    static final Object INNER = new Object();
    static final ReentrantReadWriteLock READ_WRITE = new ReentrantReadWriteLock();
    static long counter;

    public static void main(String[] args) throws Exception {
        long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 64; t++) {
            int first = t;
            threads.add(VirtualDeadlock.virtual("v-worker-" + t, () -> work(first, end)));
        }
        for (int t = 0; t < 2; t++) {
            int first = t;
            threads.add(new Thread(() -> work(first, end), "p-worker-" + t));
        }
        for (Thread t : threads) t.start();
        for (Thread t : threads) t.join();
        System.out.println("done " + (counter > 0));
    }

    static void work(int first, long end) {
        for (int i = first; System.nanoTime() < end; i++) {
            Object outer = OUTER[i % OUTER.length];
            if (outer instanceof ReentrantLock) {
                ReentrantLock lock = (ReentrantLock) outer;
                lock.lock();
                try {
                    middle(i);
                } finally {
                    lock.unlock();
                }
            } else {
                synchronized (outer) {
                    middle(i);
                }
            }
        }
    }

    static void middle(int i) {
        MIDDLE.lock();
        try {
            synchronized (INNER) {
                ReentrantReadWriteLock.ReadLock read = READ_WRITE.readLock();
                ReentrantReadWriteLock.WriteLock write = READ_WRITE.writeLock();
                if (i % 3 == 0) {
                    write.lock();
                    try {
                        counter++;
                        Thread.yield(); // let the others pile up behind what this one holds
                    } finally {
                        write.unlock();
                    }
                } else {
                    read.lock();
                    read.unlock();
                }
            }
        } finally {
            MIDDLE.unlock();
        }
    }
}
