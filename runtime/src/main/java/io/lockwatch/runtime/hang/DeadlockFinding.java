package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A real deadlock: threads each waiting for a lock (monitor or ownable synchronizer) that the next one holds. Other
 * kinds of deadlock ({@link ClassInitDeadlockFinding}) extend it with what their threads wait for.
 */
class DeadlockFinding extends HangFinding {
    /** In cycle order: each waits for a lock the next one holds, the last for one the first holds. */
    final List<ThreadView> cycle;

    DeadlockFinding(List<ThreadView> cycle) {
        this("deadlock", cycle);
    }

    DeadlockFinding(String kind, List<ThreadView> cycle) {
        super(kind);
        this.cycle = cycle;
    }

    /** "DEADLOCK #1", and the kind after it when it is another than a deadlock of locks. */
    @Override
    String title() {
        return "DEADLOCK #" + id() + (kind().equals("deadlock") ? "" : " " + kind());
    }

    @Override
    public List<String> threadNames() {
        return names(null, cycle);
    }

    @Override
    public List<String> lockNames() {
        List<String> locks = new ArrayList<>();
        for (ThreadView t : cycle) locks.add(t.waitingFor != null ? t.waitingFor.name() : "unknown");
        return locks;
    }

    @Override
    void writeDetails(JsonWriter json) {
        writeThreads(json, "cycle", cycle);
    }

    @Override
    public String summary() {
        StringBuilder out = new StringBuilder();
        out.append(title()).append(": ").append(cycle.size())
                .append(" threads, each waiting for a lock the next one holds\n");
        for (ThreadView t : cycle) t.summarize(out, "  ");
        out.append("  *** DEADLOCK: these threads never continue ***\n");
        return out.toString();
    }
}
