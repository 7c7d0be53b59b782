package io.lockwatch.runtime.track;

import io.lockwatch.runtime.util.JdkFields;
import java.lang.reflect.Field;
import java.util.concurrent.FutureTask;

/**
 * Which thread runs a {@code FutureTask} now: the one thread whose end of the task brings its result, so the thread a
 * waiter in {@code get()} waits for. Read from the task's private fields (opened to lockwatch by the agent at
 * start-up); none of the application's code runs (a subclass's {@code isDone} is not called).
 */
public final class RunningTasks {
    /** The thread running the task (null before and after). */
    private static final Field RUNNER = JdkFields.field(FutureTask.class, "runner");
    /** The task's state: {@code NEW} (0) until its result or cancellation is being set. */
    private static final Field STATE = JdkFields.field(FutureTask.class, "state");
    private static final int NEW = 0;

    private RunningTasks() {}

    /** @return the thread running this task, which has no result yet; null if none does, or if it cannot be read */
    public static Thread runnerOf(Object task) {
        if (!(task instanceof FutureTask) || RUNNER == null || STATE == null) return null;
        try {
            return STATE.getInt(task) == NEW ? (Thread) RUNNER.get(task) : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // not readable here: missed, never invented
        }
    }
}
