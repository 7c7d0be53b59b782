package io.lockwatch.it.programs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs steps in named threads that are all alive at once, but one after another: each step waits on a
 * latch until the previous one is done. So an inversion is really taken by concurrent threads, yet the
 * run never deadlocks. (Start/join would order the threads, and lockwatch rightly ignores such cycles.)
 */
public final class Staggered {
    private final List<String> names = new ArrayList<>();
    private final List<Runnable> steps = new ArrayList<>();

    public static Staggered steps() {
        return new Staggered();
    }

    public Staggered then(String threadName, Runnable step) {
        names.add(threadName);
        steps.add(step);
        return this;
    }

    public void run() throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        CountDownLatch previous = new CountDownLatch(0);
        for (int i = 0; i < steps.size(); i++) {
            CountDownLatch waitFor = previous;
            CountDownLatch done = new CountDownLatch(1);
            Runnable step = steps.get(i);
            threads.add(new Thread(() -> {
                try {
                    waitFor.await();
                    step.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }, names.get(i)));
            previous = done;
        }
        for (Thread t : threads) t.start();
        for (Thread t : threads) t.join();
    }
}
