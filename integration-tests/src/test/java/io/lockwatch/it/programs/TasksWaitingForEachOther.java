package io.lockwatch.it.programs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Threads that wait for the result of a task another thread runs, in a cycle, by mode:
 * <ul>
 *   <li>"each-other": two tasks of a pool, on "worker-1" and "worker-2", each in {@code get()} on the other's future,
 *       holding nothing (each prints a line first, as a task logs: that takes the stream's lock);
 *       "virtual-each-other" the same on a thread-per-task executor of virtual threads (JDK 21 and later), whose
 *       tasks print nothing: their threads take no lock at all before their {@code get()};</li>
 *   <li>"under-monitor": "request" holds a monitor while it waits in {@code get()} for a task of the pool that needs
 *       that monitor ("worker-1", blocked on it); "under-lock" the same with a {@code ReentrantLock};</li>
 *   <li>"under-lock-timed": "under-lock" with an hour's timeout on the {@code get()}, which ends by itself;
 *       "under-lock-timed-task": "under-lock" with the task's {@code tryLock} of an hour, which ends by itself too;</li>
 *   <li>"virtual-under-monitor", "virtual-under-lock": "under-monitor" and "under-lock" with virtual threads (JDK 21
 *       and later): the request is one, and the pool a thread-per-task executor of virtual threads;
 *       "virtual-worker": "under-monitor" with a platform request and such a pool; "virtual-under-lock-timed" the
 *       same as "under-lock-timed".</li>
 * </ul>
 * No thread owns what the waiters in {@code get()} park on (the task), so the JVM's deadlock search sees nothing, or
 * only the worker's lock wait. Prints "waiting" once every wait is in place and "waited" 5 s later (past a 2 s stall
 * threshold); never ends.
 */
public final class TasksWaitingForEachOther {
    private static final Object STATE = new Object();
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final List<Thread> WORKERS = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        boolean virtual = mode.startsWith("virtual");
        ThreadFactory threads = virtual ? VirtualThreads.factory() : Thread::new;
        ThreadFactory named = task -> {
            synchronized (WORKERS) {
                Thread worker = threads.newThread(task);
                worker.setName("worker-" + (WORKERS.size() + 1));
                WORKERS.add(worker);
                return worker;
            }
        };
        ExecutorService pool = virtual
                ? (ExecutorService) Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class).invoke(null, named)
                : Executors.newFixedThreadPool(2, named);
        List<Thread> waiters = new ArrayList<>();
        if (mode.endsWith("each-other")) {
            AtomicReference<Future<?>> first = new AtomicReference<>();
            AtomicReference<Future<?>> second = new AtomicReference<>();
            first.set(pool.submit(() -> resultOf(second, !virtual)));
            second.set(pool.submit(() -> resultOf(first, !virtual)));
            while (workers() < 2) Thread.sleep(10);
            waiters.addAll(WORKERS);
        } else {
            Runnable requesting = () -> request(mode, pool);
            Thread request = VirtualThreads.unstarted(virtual && !mode.equals("virtual-worker"), requesting);
            request.setName("request");
            request.start();
            while (workers() < 1) Thread.sleep(10);
            waiters.add(request);
            waiters.add(WORKERS.get(0));
        }
        while (!allWaiting(waiters)) Thread.sleep(10);
        System.out.println("waiting");
        Thread.sleep(5000);
        System.out.println("waited");
        Hang.forever();
    }

    /** Waits for the other task's result, once the other task has been submitted. */
    private static Object resultOf(AtomicReference<Future<?>> other, boolean logs) throws Exception {
        if (logs) System.out.println(Thread.currentThread().getName() + " started");
        while (other.get() == null) Thread.onSpinWait();
        return other.get().get();
    }

    /** Under the lock, submits a task that takes it, and waits for the task's result. */
    private static void request(String mode, ExecutorService pool) {
        boolean monitor = mode.endsWith("monitor") || mode.equals("virtual-worker");
        Runnable task = monitor ? () -> {
            synchronized (STATE) {
                System.out.println("task ran");
            }
        } : () -> {
            lock(mode.equals("under-lock-timed-task"));
            try {
                System.out.println("task ran");
            } finally {
                LOCK.unlock();
            }
        };
        try {
            if (monitor) {
                synchronized (STATE) {
                    pool.submit(task).get();
                }
                return;
            }
            LOCK.lock();
            try {
                Future<?> result = pool.submit(task);
                if (mode.endsWith("under-lock-timed")) result.get(1, TimeUnit.HOURS);
                else result.get();
            } finally {
                LOCK.unlock();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void lock(boolean timed) {
        if (!timed) {
            LOCK.lock();
            return;
        }
        try {
            if (!LOCK.tryLock(1, TimeUnit.HOURS)) throw new IllegalStateException("no lock within the hour");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int workers() {
        synchronized (WORKERS) {
            return WORKERS.size();
        }
    }

    private static boolean allWaiting(List<Thread> threads) {
        for (Thread t : threads) {
            Thread.State s = t.getState();
            if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING && s != Thread.State.BLOCKED) return false;
        }
        return true;
    }
}
