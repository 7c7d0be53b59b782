package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A thread waits for something only it can bring about ({@link SelfWaits}): the result of the task it is running, or
 * the termination of its own pool. No lock is involved, so neither the JVM's search nor a thread dump shows it.
 */
final class SelfWaitFinding extends HangFinding {
    private final ThreadView thread;
    /** Its own task's result (else its own pool's termination). */
    private final boolean ownTask;
    /** The task or the pool, as class@identityHash (not its toString(), which is the application's code). */
    private final String object;
    private final String call;

    SelfWaitFinding(ThreadView thread, boolean ownTask, String object, String call) {
        super("self_wait");
        this.thread = thread;
        this.ownTask = ownTask;
        this.object = object;
        this.call = call;
    }

    @Override
    public List<String> threadNames() {
        return Collections.singletonList(thread.name);
    }

    @Override
    public List<String> lockNames() {
        return new ArrayList<>(); // no lock is involved: that is why nothing else sees it
    }

    @Override
    void writeDetails(JsonWriter json) {
        json.field("waitsFor", ownTask ? "its_own_task" : "its_own_pool").field(ownTask ? "task" : "pool", object)
                .field("call", call);
        json.name("thread");
        thread.write(json);
    }

    @Override
    public String summary() {
        StringBuilder out = new StringBuilder();
        out.append(title()).append(": thread ").append(quoted(thread.name));
        if (ownTask) {
            out.append(" waits in ").append(call).append(" for the result of task ").append(object)
                    .append(", which is the task it is running: the result comes only after the wait has ended\n");
        } else {
            out.append(" waits in ").append(call).append(" for the termination of ").append(object)
                    .append(", the pool it is a worker of: a pool terminates only once all its tasks have ended, this one")
                    .append(" included\n");
        }
        thread.summarize(out, "  ");
        out.append(howItEnds(call)).append(ownTask
                ? " (a task cannot wait for its own result: return it, or hand the rest of the work to another task)\n"
                : " (wait for a pool from outside it: a task may call shutdown(), which lets the running tasks finish,"
                        + " but not wait for the pool's end)\n");
        return out.toString();
    }

    /**
     * What can end the wait: {@code close()} waits again after an interrupt (having called {@code shutdownNow()}), so
     * nothing; an interrupt ends the others ({@code cancel(true)} on the task, {@code shutdownNow()} on the pool).
     */
    private static String howItEnds(String call) {
        if (call.equals("close()")) return "  the wait never ends";
        return call.equals("get()") ? "  only an interrupt ends the wait" : "  only its timeout or an interrupt ends the wait";
    }
}
