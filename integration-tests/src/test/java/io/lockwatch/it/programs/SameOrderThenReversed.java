package io.lockwatch.it.programs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Eight threads take A then B 20,000 times each under contention: no finding, a tiny graph. With argument
 * "reversed" a ninth thread, alive all along, takes B then A once after the others are done: real.
 */
public final class SameOrderThenReversed {
    static final Object A = new Object();
    static final Object B = new Object();
    static long counter;

    public static void main(String[] args) throws Exception {
        boolean reversed = args.length > 0 && args[0].equals("reversed");
        CountDownLatch workersDone = new CountDownLatch(8);
        Thread late = new Thread(() -> {
            try {
                workersDone.await();
            } catch (InterruptedException e) {
                return;
            }
            if (reversed) {
                synchronized (B) {
                    synchronized (A) {
                        counter++;
                    }
                }
            }
        }, "late");
        late.start();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            workers.add(new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    synchronized (A) {
                        synchronized (B) {
                            counter++;
                        }
                    }
                }
                workersDone.countDown();
            }, "worker-" + t));
        }
        for (Thread t : workers) t.start();
        late.join();
        for (Thread t : workers) t.join();
        System.out.println("done");
    }
}
