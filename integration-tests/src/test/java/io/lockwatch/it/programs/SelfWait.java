package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A pool's task ("worker-1") that waits for something only it can bring about, by mode: "own-future", {@code get()}
 * on its own Future; "own-future-timed", the same with an hour's timeout; "own-pool", {@code shutdown()} then
 * {@code awaitTermination} of its own pool (an hour); "own-pool-close", {@code close()} on its own pool (JDK 19 and
 * later); "own-future-after-idle", "own-future" in a pool of one worker that has first been idle for 3 s (past a 2 s
 * stall threshold: its idle wait was looked at and was none). Prints "waiting" once the task waits; never ends.
 *
 * <p>"outside" waits the same ways but for what others bring about: worker-1 gets the future of worker-2's task,
 * which waits 5 s (past a 2 s stall threshold) for a latch, while main waits for the pool's termination; then all
 * finish, and it prints "done" and exits.
 */
public final class SelfWait {
    private static final AtomicReference<Future<?>> OWN_FUTURE = new AtomicReference<>();
    private static volatile Thread waiter;

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        AtomicInteger number = new AtomicInteger();
        ThreadFactory named = r -> new Thread(r, "worker-" + number.incrementAndGet());
        ExecutorService pool = Executors.newFixedThreadPool(mode.equals("own-future-after-idle") ? 1 : 2, named);
        if (mode.equals("outside")) {
            outside(pool);
            return;
        }
        if (mode.equals("own-future-after-idle")) {
            pool.submit(() -> { }).get();
            Thread.sleep(3000);
        }
        OWN_FUTURE.set(pool.submit(() -> {
            while (OWN_FUTURE.get() == null) Thread.onSpinWait(); // submit() has not returned yet
            waiter = Thread.currentThread();
            waitForItself(mode, pool);
            return null;
        }));
        while (waiter == null || !isWaiting(waiter)) Thread.sleep(10);
        System.out.println("waiting");
        waiter.join();
    }

    private static void waitForItself(String mode, ExecutorService pool) throws Exception {
        switch (mode) {
            case "own-future":
            case "own-future-after-idle":
                OWN_FUTURE.get().get();
                break;
            case "own-future-timed":
                OWN_FUTURE.get().get(1, TimeUnit.HOURS);
                break;
            case "own-pool":
                pool.shutdown();
                pool.awaitTermination(1, TimeUnit.HOURS);
                break;
            case "own-pool-close":
                ExecutorService.class.getMethod("close").invoke(pool); // JDK 19+; this program targets 17
                break;
            default:
                throw new IllegalArgumentException(mode);
        }
    }

    private static void outside(ExecutorService pool) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Future<?> slow = pool.submit(() -> {
            Hang.await(release);
            return null;
        });
        Future<?> waiting = pool.submit(() -> slow.get());
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release.countDown();
        }, "releaser");
        releaser.start();
        pool.shutdown();
        System.out.println("waiting");
        if (!pool.awaitTermination(1, TimeUnit.HOURS)) throw new IllegalStateException("pool did not end");
        waiting.get();
        System.out.println("done");
    }

    private static boolean isWaiting(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }
}
