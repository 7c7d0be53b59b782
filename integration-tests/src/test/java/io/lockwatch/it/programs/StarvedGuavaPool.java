package io.lockwatch.it.programs;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * StarvedPool's freeze through Guava: a fixed pool of two threads behind {@code MoreExecutors.listeningDecorator},
 * whose two tasks each submit a sub-task to it and wait in {@code ListenableFuture.get()}. Guava queues its own task
 * class (a {@code ListenableFutureTask}, not a {@code FutureTask}), and its {@code get()} parks on that task. Prints
 * "waiting" once both tasks run; it never ends.
 */
public final class StarvedGuavaPool {
    public static void main(String[] args) throws Exception {
        ListeningExecutorService pool = MoreExecutors.listeningDecorator(Executors.newFixedThreadPool(2));
        CountDownLatch bothRunning = new CountDownLatch(2);
        List<ListenableFuture<String>> tasks = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            tasks.add(pool.submit(() -> {
                bothRunning.countDown();
                bothRunning.await(); // both workers busy before either submits: the sub-tasks queue up
                return pool.submit(() -> "inner").get();
            }));
        }
        bothRunning.await();
        System.out.println("waiting");
        for (ListenableFuture<String> task : tasks) System.out.println(task.get());
    }
}
