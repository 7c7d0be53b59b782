package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.track.RunningTasks;
import io.lockwatch.runtime.util.JdkFields;
import java.lang.management.ThreadInfo;
import java.lang.reflect.Field;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.locks.LockSupport;

/**
 * A thread that waits for something only it can bring about, which no lock shows (a thread dump has a parked thread):
 * <ul>
 *   <li>the result of the task it is running: {@code get()} on its own {@code FutureTask} (a pool's task that gets
 *       its own future), whose result comes only once the task, and so the wait, has ended;</li>
 *   <li>the termination of the pool it is a worker of: {@code awaitTermination}, or {@code close()}, from one of the
 *       pool's own tasks. A pool terminates only once all its tasks have ended, this one included.</li>
 * </ul>
 * Neither wait ends but by its timeout; an untimed one (and {@code close()}, which waits again after each day) never
 * does. Found from what the thread is parked on ({@code LockSupport.getBlocker}) and, compared by identity, the task's
 * runner or the pool's termination condition: fields of the JDK's, opened to lockwatch by the agent at start-up. Only
 * asked about platform threads that have waited past the threshold; runs none of the application's code.
 */
final class SelfWaits {
    /** The condition {@code ThreadPoolExecutor.awaitTermination} waits on. */
    private static final Field TERMINATION = JdkFields.field(ThreadPoolExecutor.class, "termination");

    /** What a thread waits for that only it can bring about. */
    static final class SelfWait {
        /** The task whose result it waits for, or null. */
        final FutureTask<?> task;
        /** The pool whose termination it waits for, or null. */
        final ThreadPoolExecutor pool;

        private SelfWait(FutureTask<?> task, ThreadPoolExecutor pool) {
            this.task = task;
            this.pool = pool;
        }
    }

    private SelfWaits() {}

    /**
     * The call the thread waits in, as its stack (from a snapshot) shows it: {@code get()}, {@code get(timeout)},
     * {@code awaitTermination(timeout)} or {@code close()}.
     */
    static String call(SelfWait wait, ThreadInfo info) {
        boolean timed = info.getThreadState() == Thread.State.TIMED_WAITING;
        if (wait.task != null) return timed ? "get(timeout)" : "get()";
        StackTraceElement[] stack = info.getStackTrace();
        for (int i = 0; i + 1 < stack.length; i++) {
            if (stack[i].getMethodName().equals("awaitTermination")) {
                return stack[i + 1].getMethodName().equals("close") ? "close()" : "awaitTermination(timeout)";
            }
        }
        return "awaitTermination(timeout)";
    }

    /** @return what this thread, parked now, waits for that only it can bring about; or null (most waits) */
    static SelfWait of(Thread t) {
        Object blocker = LockSupport.getBlocker(t);
        if (blocker == null) return null;
        try {
            if (RunningTasks.runnerOf(blocker) == t) {
                return new SelfWait((FutureTask<?>) blocker, null);
            }
            if (TERMINATION == null || !blocker.getClass().getName().endsWith("$ConditionObject")) return null;
            ThreadPoolExecutor pool = PoolStarvation.poolOf(t);
            return pool != null && TERMINATION.get(pool) == blocker ? new SelfWait(null, pool) : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // not readable here: missed, never invented
        }
    }
}
