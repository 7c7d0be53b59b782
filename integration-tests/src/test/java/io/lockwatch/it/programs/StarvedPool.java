package io.lockwatch.it.programs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed pool of two threads whose two tasks each submit a sub-task to the same pool and wait for it: both
 * workers wait on tasks queued behind them, and no thread is left to run those (the frozen thread pool). No lock
 * is held anywhere. Prints "waiting" once both tasks run; it never ends.
 *
 * <p>With "other-pool", the sub-tasks go to a second pool of one thread, which runs each after a 3 s sleep:
 * long waits on tasks queued elsewhere, which end; it prints "inner" twice and "done". With "single", one task
 * of a single-thread executor submits to its own executor and waits: the same freeze with one worker. With
 * "scheduled", the same in a single-thread scheduled executor (its queue is the JDK's delayed work queue).
 *
 * <p>With "completable", the tasks wait in {@code CompletableFuture.join()} instead: the first on
 * {@code supplyAsync(..., pool)}, the second on a stage that depends on such a future ({@code thenApply}),
 * both queued in their own pool. With "completable-mixed" the first waits so and the second in
 * {@code Future.get()}. With "completable-either", each joins {@code applyToEither} of a sub-task queued in its own
 * pool and one that a second pool runs after 3 s: the waits end without the queued ones (prints as "other-pool").
 * With "own-future-task", the sub-tasks are FutureTasks of the program's own (a subclass), queued with execute().
 * With "timed", the default freeze, with each wait in {@code get(10, MINUTES)}.
 * With "wrapped-runnable" and "thread-subclass", the default freeze in a pool whose thread factory hides the
 * pool's Runnable from the thread (threads named "wrapped-N" and "subclassed-N").
 */
public final class StarvedPool {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("single") || args[0].equals("scheduled"))) {
            ExecutorService single = args[0].equals("single") ? Executors.newSingleThreadExecutor()
                    : Executors.newSingleThreadScheduledExecutor();
            Future<String> task = single.submit(() -> single.submit(() -> "inner").get());
            System.out.println("waiting");
            System.out.println(task.get());
            return;
        }
        String mode = args.length > 0 ? args[0] : "";
        boolean otherPool = mode.equals("other-pool");
        ExecutorService pool = Executors.newFixedThreadPool(2, threadFactory(mode));
        ExecutorService subTasks = otherPool || mode.equals("completable-either") ? Executors.newFixedThreadPool(1) : pool;
        CountDownLatch bothRunning = new CountDownLatch(2);
        List<Future<String>> tasks = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            boolean first = i == 0;
            tasks.add(pool.submit(() -> {
                bothRunning.countDown();
                bothRunning.await(); // both workers busy before either submits: the sub-tasks queue up
                switch (mode) {
                    case "completable":
                        CompletableFuture<String> inner = CompletableFuture.supplyAsync(() -> "inner", pool);
                        return first ? inner.join() : inner.thenApply(String::trim).join();
                    case "completable-mixed":
                        return first ? CompletableFuture.supplyAsync(() -> "inner", pool).join()
                                : pool.submit(() -> "inner").get();
                    case "own-future-task": // the application's FutureTask, as frameworks' newTaskFor makes them
                        FutureTask<String> own = new FutureTask<>(() -> "inner") {
                            @Override
                            public boolean equals(Object other) {
                                throw new IllegalStateException("lockwatch ran the application's equals()");
                            }
                        };
                        pool.execute(own);
                        return own.get();
                    case "timed": // a timeout far past the test: the freeze as users see it
                        return subTasks.submit(() -> "inner").get(10, TimeUnit.MINUTES);
                    case "completable-either":
                        return CompletableFuture.supplyAsync(() -> "inner", pool)
                                .applyToEither(CompletableFuture.supplyAsync(StarvedPool::innerAfterAWhile, subTasks), s -> s)
                                .join();
                    default:
                        return subTasks.submit(() -> otherPool ? innerAfterAWhile() : "inner").get();
                }
            }));
        }
        bothRunning.await();
        System.out.println("waiting");
        for (Future<String> task : tasks) System.out.println(task.get());
        pool.shutdown();
        subTasks.shutdown();
        System.out.println("done");
    }

    /** The pool's threads: as the JDK makes them, or from a factory that hides the pool's Runnable. */
    private static ThreadFactory threadFactory(String mode) {
        AtomicInteger made = new AtomicInteger();
        switch (mode) {
            case "wrapped-runnable": // the pool's Runnable inside one of the factory's (a lambda here)
                return r -> new Thread(() -> r.run(), "wrapped-" + made.incrementAndGet());
            case "thread-subclass": // a Thread of the program's own whose run() calls the pool's Runnable
                return r -> new Thread("subclassed-" + made.incrementAndGet()) {
                    @Override
                    public void run() {
                        r.run();
                    }
                };
            default:
                return Executors.defaultThreadFactory();
        }
    }

    private static String innerAfterAWhile() {
        try {
            Thread.sleep(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "inner";
    }
}
