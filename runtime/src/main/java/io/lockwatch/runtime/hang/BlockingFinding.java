package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A thread that holds locks other threads are blocked behind ({@link StallFinding}, {@link LongHoldFinding}): the
 * thread, the locks of its that they wait for, and every thread behind it, nearest first.
 */
abstract class BlockingFinding extends HangFinding {
    final ThreadView holder;
    final List<LockRef> locks;
    final List<ThreadView> blocked;

    BlockingFinding(String kind, ThreadView holder, List<LockRef> locks, List<ThreadView> blocked) {
        super(kind);
        this.holder = holder;
        this.locks = locks;
        this.blocked = blocked;
    }

    @Override
    public List<String> threadNames() {
        return names(holder.name, blocked);
    }

    @Override
    public List<String> lockNames() {
        List<String> names = new ArrayList<>();
        for (LockRef l : locks) names.add(l.name());
        return names;
    }

    /** {@code heldLocks}, the holder under {@code holderKey}, then {@code blocked}: after the finding's own fields. */
    void writeHolderAndBlocked(JsonWriter json, String holderKey) {
        json.name("heldLocks").beginArray();
        for (LockRef l : locks) l.write(json);
        json.endArray();
        json.name(holderKey);
        holder.write(json);
        writeThreads(json, "blocked", blocked);
    }

    /** The holder and every blocked thread, jstack-like, for a summary. */
    void summarizeThreads(StringBuilder out) {
        holder.summarize(out, "  ");
        for (ThreadView b : blocked) b.summarize(out, "  ");
    }
}
