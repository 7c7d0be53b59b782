package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.util.JdkFields;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A frozen thread pool: every worker of a {@link ThreadPoolExecutor} waits on a future that only a task still in
 * that same pool's queue can complete: a {@code FutureTask} it submitted (or another task that is its own future,
 * as Guava's {@code ListenableFutureTask}), or a {@code CompletableFuture} whose
 * task ({@code supplyAsync(..., pool)}, an async stage) is queued there, directly or through the stages that
 * depend on it ({@link CompletableFutureWaits}). Tasks that submit sub-tasks to their own pool and wait for them do
 * this once the pool is full of such tasks: nobody holds a lock, so it is neither a deadlock nor a stall, and a
 * thread dump shows only idle-looking parked threads, yet no thread is left to run the tasks they wait for.
 *
 * <p>A worker's pool is found through the thread's task (the pool's {@code Worker}, which the default thread
 * factories hand to {@code new Thread}, or which a factory's wrapper holds in a field) and the worker's enclosing
 * pool: both private, opened to lockwatch by the agent at start-up. Deeper wrapping hides the pool, and such a
 * pool is never reported: missed, never invented. Only asked about threads that have waited past the threshold, and it runs none of the
 * application's code: the pool's fields are read directly, and only the JDK's own queues and tasks are asked
 * anything (tasks are compared by identity).
 */
final class PoolStarvation {
    /** The thread's Runnable: {@code Thread.target} until JDK 18, {@code Thread.holder.task} since JDK 19. */
    private static final Field HOLDER = JdkFields.field(Thread.class, "holder");
    private static final Field TASK =
            HOLDER != null ? JdkFields.field(HOLDER.getType(), "task") : JdkFields.field(Thread.class, "target");
    private static final Class<?> WORKER = JdkFields.jdkClass(ThreadPoolExecutor.class.getName() + "$Worker");
    private static final Field POOL = JdkFields.field(WORKER, "this$0");
    /**
     * The pool's own fields, read directly: its getters can be overridden by a subclass, and the detector
     * runs none of the application's code (it could block the one thread that watches for hangs).
     */
    private static final Field QUEUE = JdkFields.field(ThreadPoolExecutor.class, "workQueue");
    private static final Field CORE_SIZE = JdkFields.field(ThreadPoolExecutor.class, "corePoolSize");
    private static final Field MAX_SIZE = JdkFields.field(ThreadPoolExecutor.class, "maximumPoolSize");
    private static final Field CTL = JdkFields.field(ThreadPoolExecutor.class, "ctl");
    private static final Field COUNT_MASK = JdkFields.field(ThreadPoolExecutor.class, "COUNT_MASK");
    private static final Field WORKER_THREAD = JdkFields.field(WORKER, "thread");
    /** Fields of a thread's wrapper looked into, at most. */
    private static final int MAX_WRAPPER_FIELDS = 32;
    /** Queued tasks looked at per pool, at most (a frozen pool's queue only grows). */
    static final int MAX_QUEUE_WALK = 100_000;

    /** What a worker waits on: a future, and the task in its pool's queue that completes it. */
    static final class Wait {
        /** The FutureTask (or other task that is its own future), or the CompletableFuture the worker joins. */
        final Object future;
        /** The FutureTask itself, or the CompletableFuture's task. */
        final Object queuedTask;

        Wait(Object future, Object queuedTask) {
            this.future = future;
            this.queuedTask = queuedTask;
        }
    }

    /** A pool whose every worker waits on a task queued in it. */
    static final class Starved {
        final ThreadPoolExecutor pool;
        final int corePoolSize;
        final int maximumPoolSize;
        final int queued;
        /** Its workers, and what each waits on. */
        final Map<Thread, Wait> waits;

        Starved(ThreadPoolExecutor pool, int corePoolSize, int maximumPoolSize, int queued, Map<Thread, Wait> waits) {
            this.pool = pool;
            this.corePoolSize = corePoolSize;
            this.maximumPoolSize = maximumPoolSize;
            this.queued = queued;
            this.waits = waits;
        }
    }

    private PoolStarvation() {}

    /** Can this JVM's pools be found at all (the fields exist and were opened to lockwatch)? */
    static boolean available() {
        return TASK != null && POOL != null && QUEUE != null && CORE_SIZE != null && MAX_SIZE != null && CTL != null
                && COUNT_MASK != null && WORKER_THREAD != null;
    }

    /**
     * @param waitedLong the platform threads (not lockwatch's) that have waited past the threshold
     * @return the pools all of whose workers wait on tasks queued in them
     */
    static List<Starved> find(List<Thread> waitedLong) {
        List<Starved> found = new ArrayList<>();
        if (!available()) return found;
        Map<ThreadPoolExecutor, Map<Thread, Object>> candidates = new IdentityHashMap<>();
        for (Thread t : waitedLong) {
            Object blocker = LockSupport.getBlocker(t);
            // A task that is its own future (a FutureTask, the application's subclasses too; Guava's
            // ListenableFutureTask, whose get() parks on the future itself): the queue is searched for it by
            // identity, which runs none of their code. (Not done, and not started, is what being in the queue says.)
            if (!(blocker instanceof Runnable) && !CompletableFutureWaits.isWait(blocker)) continue;
            ThreadPoolExecutor pool = poolOf(t);
            if (pool != null) candidates.computeIfAbsent(pool, p -> new IdentityHashMap<>()).put(t, blocker);
        }
        for (Map.Entry<ThreadPoolExecutor, Map<Thread, Object>> c : candidates.entrySet()) {
            try {
                Starved starved = starved(c.getKey(), c.getValue());
                if (starved != null) found.add(starved);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // This pool cannot be read: not reported (missed, never invented).
            }
        }
        return found;
    }

    /** @param blockers the pool's waiting workers, and what each is parked on */
    private static Starved starved(ThreadPoolExecutor pool, Map<Thread, Object> blockers)
            throws ReflectiveOperationException {
        int core = CORE_SIZE.getInt(pool);
        // Fewer workers than the core size: the next submission starts a new one, which can run the queue.
        if (blockers.size() < core || blockers.size() != workerCount(pool)) return null;
        Object queue = QUEUE.get(pool);
        // Only the JDK's queues are walked (their iterators take the queue's lock for a moment per step, and run
        // no code of the application's), and only of a pool whose workers all wait.
        if (!(queue instanceof BlockingQueue) || queue.getClass().getClassLoader() != null) return null;
        BlockingQueue<?> tasks = (BlockingQueue<?>) queue;
        Map<Object, Wait> queued = queuedTasksAwaited(tasks, blockers.values());
        Map<Thread, Wait> waits = new IdentityHashMap<>();
        for (Map.Entry<Thread, Object> worker : blockers.entrySet()) {
            Wait wait = queued.get(worker.getValue());
            if (wait == null) return null; // this worker's wait can end without the pool
            waits.put(worker.getKey(), wait);
        }
        return new Starved(pool, core, MAX_SIZE.getInt(pool), tasks.size(), waits);
    }

    /**
     * One walk of the pool's queue, capped: which of these blockers (a task that is its own future, such as a
     * FutureTask, or a CompletableFuture's waiter) waits on a task in it. Tasks past the cap are not looked at: waits on them are missed, never invented.
     *
     * @return each blocker found, with what it waits on
     */
    static Map<Object, Wait> queuedTasksAwaited(Iterable<?> queue, Collection<Object> blockers)
            throws ReflectiveOperationException {
        Set<Object> futureTasks = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Object> signallers = Collections.newSetFromMap(new IdentityHashMap<>());
        // A CompletableFuture's waiter is a Runnable too (a Completion), but never in a queue: told apart first.
        for (Object blocker : blockers) (CompletableFutureWaits.isWait(blocker) ? signallers : futureTasks).add(blocker);
        Map<Object, Wait> found = new IdentityHashMap<>();
        List<Object> completableTasks = new ArrayList<>();
        int seen = 0;
        for (Object task : queue) {
            if (++seen > MAX_QUEUE_WALK) break;
            if (futureTasks.contains(task)) {
                found.put(task, new Wait(task, task));
            } else if (!signallers.isEmpty() && CompletableFutureWaits.completesAFuture(task)) {
                completableTasks.add(task);
            }
        }
        if (!completableTasks.isEmpty()) found.putAll(CompletableFutureWaits.awaitedAmong(completableTasks, signallers));
        return found;
    }

    /**
     * How many workers the pool counts: the low bits of its {@code ctl}, read as a field (the JDK's
     * {@code AtomicInteger}). A worker that is leaving has already been taken off, and cannot run the queue.
     */
    private static int workerCount(ThreadPoolExecutor pool) throws ReflectiveOperationException {
        return ((AtomicInteger) CTL.get(pool)).get() & COUNT_MASK.getInt(null);
    }

    /** The pool whose worker this thread is, or null when it is none (or hidden too deep). */
    static ThreadPoolExecutor poolOf(Thread t) {
        try {
            Object holder = HOLDER != null ? HOLDER.get(t) : t;
            Object task = holder == null ? null : TASK.get(holder);
            Object worker = workerWithin(t, task);
            // A thread class of the application's whose run() calls the worker it captured.
            if (worker == null && t.getClass() != Thread.class) worker = workerWithin(t, t);
            Object pool = worker == null ? null : POOL.get(worker);
            return pool instanceof ThreadPoolExecutor ? (ThreadPoolExecutor) pool : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The thread's {@code Worker}: the object itself, or one held in a field of it, as thread factories that wrap
     * the pool's Runnable in one of their own hold it (a lambda, Netty's, Tomcat's). The worker must name this
     * thread as its own, so a wrapper that holds some other pool's worker is not taken for this thread's pool.
     */
    private static Object workerWithin(Thread t, Object candidate) throws ReflectiveOperationException {
        if (candidate == null) return null;
        if (candidate.getClass() == WORKER) return WORKER_THREAD.get(candidate) == t ? candidate : null;
        for (Field f : REFERENCE_FIELDS.get(candidate.getClass())) {
            Object value = f.get(candidate);
            if (value != null && value.getClass() == WORKER && WORKER_THREAD.get(value) == t) return value;
        }
        return null;
    }

    /**
     * A class's instance fields that hold references, accessible to lockwatch (declared in it and its
     * superclasses, not in Thread or Object); computed once per class. Fields of a package that is not open to
     * lockwatch are left out.
     */
    private static final ClassValue<Field[]> REFERENCE_FIELDS = new ClassValue<>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            List<Field> fields = new ArrayList<>();
            for (Class<?> c = type; c != null && c != Object.class && c != Thread.class; c = c.getSuperclass()) {
                try {
                    for (Field f : c.getDeclaredFields()) {
                        if (f.getType().isPrimitive() || Modifier.isStatic(f.getModifiers())) continue;
                        try {
                            f.setAccessible(true);
                            fields.add(f);
                        } catch (RuntimeException notOpen) {
                            // left out: a wrapper of this class is not seen through (missed, never invented)
                        }
                    }
                } catch (RuntimeException | LinkageError unreadable) {
                    break;
                }
                if (fields.size() >= MAX_WRAPPER_FIELDS) break;
            }
            return fields.toArray(new Field[0]);
        }
    };
}
