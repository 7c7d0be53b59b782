package io.lockwatch.it.programs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A fixed pool of two threads whose two tasks each submit a sub-task to the same pool and wait for it: both
 * workers wait on tasks queued behind them, and no thread is left to run those (the frozen thread pool). No lock
 * is held anywhere. Prints "waiting" once both tasks run; it never ends.
 *
 * <p>With "other-pool", the sub-tasks go to a second pool of one thread, which runs each after a 3 s sleep:
 * long waits on tasks queued elsewhere, which end; it prints "inner" twice and "done". With "single", one task
 * of a single-thread executor submits to its own executor and waits: the same freeze with one worker.
 */
public final class StarvedPool {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("single")) {
            ExecutorService single = Executors.newSingleThreadExecutor();
            Future<String> task = single.submit(() -> single.submit(() -> "inner").get());
            System.out.println("waiting");
            System.out.println(task.get());
            return;
        }
        boolean otherPool = args.length > 0 && args[0].equals("other-pool");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        ExecutorService subTasks = otherPool ? Executors.newFixedThreadPool(1) : pool;
        CountDownLatch bothRunning = new CountDownLatch(2);
        List<Future<String>> tasks = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            tasks.add(pool.submit(() -> {
                bothRunning.countDown();
                bothRunning.await(); // both workers busy before either submits: the sub-tasks queue up
                Future<String> inner = subTasks.submit(() -> {
                    if (otherPool) Thread.sleep(3000);
                    return "inner";
                });
                return inner.get();
            }));
        }
        bothRunning.await();
        System.out.println("waiting");
        for (Future<String> task : tasks) System.out.println(task.get());
        pool.shutdown();
        subTasks.shutdown();
        System.out.println("done");
    }
}
