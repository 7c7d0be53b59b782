package io.lockwatch.it.programs;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lock sites in methods of every shape the instrumentation must keep valid: wide locals (long, double)
 * before and after the sites, sites inside loops and branches, try/catch/finally around monitors and
 * Locks, exceptions thrown through them, synchronized methods (static and instance) that throw, locks
 * typed as {@code Lock} and as {@code ReentrantLock}, a constructor and a static initializer. lockwatch keeps
 * the thread's state in a local variable it adds to such methods; a frame it got wrong would fail the
 * JVM's verifier. The program prints a checksum that must not change, and has exactly one real inversion
 * ({@code first} then {@code second} in one thread, the reverse in the other), found through those methods.
 */
public final class FrameShapes {
    static final Object first = new Object();
    static final Lock second = new ReentrantLock();
    static final ReentrantLock third = new ReentrantLock();
    static long total;

    static {
        synchronized (FrameShapes.class) {
            total = 1;
        }
    }

    private final double scale;

    FrameShapes(double scale) {
        synchronized (first) {
            this.scale = scale;
        }
    }

    /** Wide locals around the sites, a site in a loop, a branch that skips one. */
    static long wide(long start, double factor, int rounds) {
        long sum = start;
        double d = factor;
        for (int i = 0; i < rounds; i++) {
            long before = sum;
            synchronized (first) {
                second.lock();
                try {
                    sum += i;
                    if ((i & 1) == 0) {
                        double half = d / 2;
                        third.lock();
                        try {
                            sum += (long) half;
                        } finally {
                            third.unlock();
                        }
                    }
                } finally {
                    second.unlock();
                }
            }
            d += sum - before;
        }
        return sum + (long) d;
    }

    /** An exception through a monitor, a Lock and a synchronized method, caught in the same method. */
    static int thrown(int n) {
        int caught = 0;
        for (int i = 0; i < n; i++) {
            try {
                synchronized (first) {
                    third.lock();
                    try {
                        new FrameShapes(i).fail(i);
                    } finally {
                        third.unlock();
                    }
                }
            } catch (IllegalStateException expected) {
                caught++;
            }
        }
        return caught;
    }

    synchronized void fail(int i) {
        if (scale >= 0) throw new IllegalStateException("fail " + i);
    }

    static synchronized long staticSynchronized(long x, double y) {
        long z = x;
        if (y > 0) z += (long) y;
        return z;
    }

    /** The other order: second, then first. */
    static void reversed() {
        second.lock();
        try {
            synchronized (first) {
                total++;
            }
        } finally {
            second.unlock();
        }
    }

    public static void main(String[] args) throws Exception {
        long[] result = new long[3];
        Staggered.steps()
                .then("forward", () -> {
                    result[0] = wide(3, 1.5, 10_000);
                    result[1] = thrown(100);
                })
                .then("backward", () -> {
                    reversed();
                    result[2] = staticSynchronized(7, 2.5);
                })
                .run();
        System.out.println("checksum=" + result[0] + "," + result[1] + "," + result[2] + "," + total);
    }
}
