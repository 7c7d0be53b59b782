package io.lockwatch.runtime.hang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which queued task a thread in {@code join()} waits for, on real futures and real parked threads. The "pool"
 * is a queue that nobody runs: an executor whose {@code execute} only queues, as a pool with no free worker does.
 * (The surefire configuration opens {@code java.util.concurrent} to these tests, as the agent does at start-up.)
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CompletableFutureWaitsTest {
    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final Executor pool = queue::add;
    private final List<CompletableFuture<?>> toRelease = new ArrayList<>();
    private final List<Runnable> toRunAtTheEnd = new ArrayList<>();
    private final List<Thread> joiners = new ArrayList<>();

    @AfterEach
    void releaseTheJoiners() throws InterruptedException {
        for (CompletableFuture<?> f : toRelease) f.complete(null);
        for (Runnable task : toRunAtTheEnd) task.run();
        for (Runnable task : queue) task.run();
        for (Thread t : joiners) t.join();
    }

    @Test
    void aJoinOnSupplyAsyncWaitsForItsTask() throws Exception {
        CompletableFuture<String> inner = CompletableFuture.supplyAsync(() -> "inner", pool);
        Object signaller = joinInAThread(inner);
        Map<Object, PoolStarvation.Wait> found = awaited(signaller);
        PoolStarvation.Wait wait = found.get(signaller);
        assertNotNull(wait, "not found: " + found);
        assertSame(inner, wait.future);
        assertSame(queue.peek(), wait.queuedTask);
    }

    @Test
    void dependentStagesThatNeedTheQueuedTaskAreFollowed() throws Exception {
        CompletableFuture<String> queued = CompletableFuture.supplyAsync(() -> "inner", pool);
        CompletableFuture<String> never = new CompletableFuture<>();
        toRelease.add(never);
        List<Function<CompletableFuture<String>, CompletableFuture<?>>> shapes = List.of(
                f -> f.thenApply(String::trim).thenAccept(s -> { }),
                f -> f.thenCompose(s -> CompletableFuture.completedFuture(s)),
                f -> never.thenCombine(f, (a, b) -> a), // the queued one second: its CoCompletion
                f -> f.thenCombine(never, (a, b) -> a),
                f -> CompletableFuture.allOf(never, f),
                f -> f.exceptionally(e -> "x").handle((s, e) -> s));
        List<Object> signallers = new ArrayList<>();
        List<CompletableFuture<?>> joined = new ArrayList<>();
        for (Function<CompletableFuture<String>, CompletableFuture<?>> shape : shapes) {
            CompletableFuture<?> f = shape.apply(queued);
            joined.add(f);
            signallers.add(joinInAThread(f));
        }
        Map<Object, PoolStarvation.Wait> found = awaited(signallers.toArray());
        for (int i = 0; i < shapes.size(); i++) {
            PoolStarvation.Wait wait = found.get(signallers.get(i));
            assertNotNull(wait, "shape " + i + " not followed");
            assertSame(joined.get(i), wait.future, "shape " + i);
            assertSame(queue.peek(), wait.queuedTask, "shape " + i);
        }
    }

    @Test
    void stagesThatAnotherSourceCanCompleteAreNotFollowed() throws Exception {
        CompletableFuture<String> queued = CompletableFuture.supplyAsync(() -> "inner", pool);
        CompletableFuture<String> other = new CompletableFuture<>();
        toRelease.add(other);
        Object either = joinInAThread(queued.applyToEither(other, s -> s));
        Object any = joinInAThread(CompletableFuture.anyOf(queued, other));
        Object unrelated = joinInAThread(other.thenApply(String::trim));
        Map<Object, PoolStarvation.Wait> found = awaited(either, any, unrelated);
        assertTrue(found.isEmpty(), "found: " + found);
    }

    /** thenApplyAsync on a completed future queues the stage itself: running it completes the joined future. */
    @Test
    void anAsyncStageInTheQueueIsATask() throws Exception {
        CompletableFuture<String> stage = CompletableFuture.completedFuture("done").thenApplyAsync(String::trim, pool);
        Object signaller = joinInAThread(stage);
        PoolStarvation.Wait wait = awaited(signaller).get(signaller);
        assertNotNull(wait);
        assertSame(stage, wait.future);
        assertTrue(wait.queuedTask.getClass().getName().startsWith("java.util.concurrent.CompletableFuture$Uni"),
                wait.queuedTask.getClass().getName());
    }

    /**
     * A FutureTask is found by identity, so the application's subclasses are too (no code of theirs runs);
     * one that is not in the queue is not.
     */
    @Test
    void aFutureTaskIsFoundInTheQueueByIdentity() throws Exception {
        FutureTask<String> queued = new FutureTask<>(() -> "queued") {
            @Override
            public boolean equals(Object other) {
                throw new AssertionError("the application's code ran");
            }

            @Override
            public int hashCode() {
                throw new AssertionError("the application's code ran");
            }
        };
        FutureTask<String> elsewhere = new FutureTask<>(() -> "elsewhere");
        toRunAtTheEnd.add(elsewhere); // in no queue: another thread will run it
        queue.add(queued);
        Object onQueued = getInAThread(queued);
        Object onElsewhere = getInAThread(elsewhere);
        Map<Object, PoolStarvation.Wait> found = awaited(onQueued, onElsewhere);
        assertSame(queued, found.get(onQueued).future);
        assertSame(queued, found.get(onQueued).queuedTask);
        assertNull(found.get(onElsewhere));
    }

    /** The walk is capped: past MAX_QUEUE_WALK queued tasks, the rest is not looked at (missed). */
    @Test
    void theWalkStopsAtItsCap() throws Exception {
        for (int i = 0; i < PoolStarvation.MAX_QUEUE_WALK; i++) queue.add(() -> { });
        CompletableFuture<String> late = CompletableFuture.supplyAsync(() -> "late", pool);
        Object signaller = joinInAThread(late);
        assertNull(awaited(signaller).get(signaller));
    }

    private Map<Object, PoolStarvation.Wait> awaited(Object... signallers) throws ReflectiveOperationException {
        Set<Object> set = Collections.newSetFromMap(new IdentityHashMap<>());
        Collections.addAll(set, signallers);
        return PoolStarvation.queuedTasksAwaited(queue, set);
    }

    /** Starts a thread that joins the future; @return its blocker once it is parked in join() */
    private Object joinInAThread(CompletableFuture<?> future) {
        return parkedOn(new Thread(future::join, "joiner-" + joiners.size()), CompletableFutureWaits::isWait);
    }

    /** Starts a thread that waits in get(); @return its blocker (the task) once it is parked */
    private Object getInAThread(FutureTask<?> task) {
        return parkedOn(new Thread(() -> {
            try {
                task.get();
            } catch (InterruptedException | ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }, "getter-" + joiners.size()), blocker -> blocker == task);
    }

    private Object parkedOn(Thread t, Predicate<Object> waiting) {
        t.setDaemon(true);
        joiners.add(t);
        t.start();
        while (true) {
            Object blocker = LockSupport.getBlocker(t);
            if (waiting.test(blocker)) return blocker;
            assertTrue(t.isAlive(), "the waiter ended: its future was complete");
            Thread.onSpinWait();
        }
    }
}
