package io.lockwatch.it.programs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/** Eight threads take the same three locks in the same order, many times, with real contention: no finding. */
public final class SameOrderUnderLoad {
    static final Object A = new Object();
    static final ReentrantLock B = new ReentrantLock();
    static final Object C = new Object();
    static long counter;

    public static void main(String[] args) throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(new Thread(() -> {
                for (int i = 0; i < 50_000; i++) {
                    synchronized (A) {
                        B.lock();
                        try {
                            synchronized (C) {
                                counter++;
                            }
                        } finally {
                            B.unlock();
                        }
                    }
                }
            }, "worker-" + t));
        }
        for (Thread t : threads) t.start();
        for (Thread t : threads) t.join();
        System.out.println("counter=" + counter);
    }
}
