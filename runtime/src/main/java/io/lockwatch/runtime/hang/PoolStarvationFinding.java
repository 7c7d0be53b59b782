package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Every worker of a thread pool waits on a future that only a task queued in that same pool can complete ({@link PoolStarvation}): no thread is
 * left to run the tasks they wait for, so none of the waits ends (a thread-starvation deadlock).
 */
final class PoolStarvationFinding extends HangFinding {
    private final String pool;
    private final int corePoolSize;
    private final int maximumPoolSize;
    private final int queued;
    /**
     * Each worker, the future it waits on and the queued task that completes it (class@identityHash; the same
     * for a FutureTask).
     */
    private final List<ThreadView> workers;
    private final List<String> waitingOn;
    private final List<String> queuedTasks;

    PoolStarvationFinding(String pool, int corePoolSize, int maximumPoolSize, int queued, List<ThreadView> workers,
                          List<String> waitingOn, List<String> queuedTasks) {
        super("pool_starvation");
        this.pool = pool;
        this.corePoolSize = corePoolSize;
        this.maximumPoolSize = maximumPoolSize;
        this.queued = queued;
        this.workers = workers;
        this.waitingOn = waitingOn;
        this.queuedTasks = queuedTasks;
    }

    @Override
    public List<String> threadNames() {
        return names(null, workers);
    }

    @Override
    public List<String> lockNames() {
        return new ArrayList<>(); // no lock is involved: that is why nothing else sees it
    }

    @Override
    void writeDetails(JsonWriter json) {
        json.name("pool").beginObject().field("name", pool).field("corePoolSize", corePoolSize)
                .field("maximumPoolSize", maximumPoolSize).field("queuedTasks", queued).endObject();
        json.name("workers").beginArray();
        for (int i = 0; i < workers.size(); i++) {
            json.beginObject().field("waitingOnTask", waitingOn.get(i)).field("queuedTask", queuedTasks.get(i)).name("thread");
            workers.get(i).write(json);
            json.endObject();
        }
        json.endArray();
    }

    @Override
    public String summary() {
        StringBuilder out = new StringBuilder();
        boolean one = workers.size() == 1;
        out.append(title()).append(one ? ": the only worker" : ": all " + workers.size() + " workers")
                .append(" of ").append(pool).append(" (core ").append(corePoolSize).append(", max ").append(maximumPoolSize)
                .append(", ").append(queued).append(" queued)").append(one ? " waits on a task" : " wait on tasks")
                .append(" queued in the same pool\n");
        for (int i = 0; i < workers.size(); i++) {
            workers.get(i).summarize(out, "  ");
            if (waitingOn.get(i).equals(queuedTasks.get(i))) {
                out.append("    waits for task ").append(waitingOn.get(i)).append(", still in the pool's queue\n");
            } else {
                out.append("    waits for ").append(waitingOn.get(i)).append(", which needs task ").append(queuedTasks.get(i))
                        .append(", still in the pool's queue\n");
            }
        }
        boolean timed = false;
        for (ThreadView w : workers) timed |= "TIMED_WAITING".equals(w.state);
        out.append("  no thread is left to run those tasks, so none of these waits ends")
                .append(timed ? " but by its timeout" : "").append(" (a task that waits for a task"
                + " of its own pool needs a pool of its own, or more threads than such tasks)\n");
        return out.toString();
    }
}
