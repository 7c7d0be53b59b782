package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real deadlock: threads each waiting for a lock (monitor or ownable synchronizer) that the next one holds. Other
 * kinds of deadlock ({@link ClassInitDeadlockFinding}) extend it with what their threads wait for.
 */
class DeadlockFinding extends HangFinding {
    /** Most threads listed behind one deadlock, each with its stack; more still count in {@code threadsStuckNow}. */
    static final int MAX_BLOCKED = 32;

    /** In cycle order: each waits for a lock the next one holds, the last for one the first holds. */
    final List<ThreadView> cycle;
    /**
     * The threads that came to wait behind the cycle (for a lock one of its threads holds, or one held by a thread
     * behind it), as the detector saw them arrive (HangDetector follows every deadlock it reports of locks).
     */
    private final List<ThreadView> blocked = new CopyOnWriteArrayList<>();
    private final Set<Long> blockedIds = new HashSet<>(); // detector only

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
        writeThreads(json, "blocked", blocked);
    }

    /**
     * Is every thread of the cycle still waiting in this snapshot, for the same lock, held by the same next one as
     * far as the JVM names an owner? (Not for a read lock's readers or a {@code StampedLock}: found from lockwatch's
     * stacks, such a cycle's next thread is known to the finding, not to the snapshot.) A thread that is in no
     * snapshot (a virtual thread) cannot be followed.
     */
    boolean stillDeadlocked(Map<Long, ThreadInfo> live) {
        for (ThreadView t : cycle) {
            ThreadInfo now = live.get(t.id);
            if (now == null || t.waitingFor != null && !t.waitingFor.sameLock(now.getLockInfo())) return false;
            long owner = now.getLockOwnerId();
            boolean ownerNamed = owner >= 0 || t.waitingFor == null;
            if (ownerNamed && owner != t.ownerId) return false;
        }
        return true;
    }

    /** Does this thread (from a snapshot) wait for a lock that a thread of the cycle waits for? */
    boolean waitsForACycleLock(ThreadInfo info) {
        for (ThreadView t : cycle) {
            if (t.waitingFor != null && t.waitingFor.sameLock(info.getLockInfo())) return true;
        }
        return false;
    }

    Set<Long> cycleIds() {
        Set<Long> ids = new HashSet<>();
        for (ThreadView t : cycle) ids.add(t.id);
        return ids;
    }

    /** Can more blocked threads be listed, and is this one not listed yet? */
    boolean wants(long threadId) {
        return blocked.size() < MAX_BLOCKED && !blockedIds.contains(threadId);
    }

    /** How many more blocked threads can be listed. */
    int room() {
        return MAX_BLOCKED - blocked.size();
    }

    void addBlocked(ThreadView thread) {
        blockedIds.add(thread.id);
        blocked.add(thread);
    }

    /** The stderr block for a thread that now waits behind the cycle. */
    String news(ThreadView thread) {
        StringBuilder out = new StringBuilder();
        out.append(title()).append(": thread ").append(quoted(thread.name)).append(" #").append(thread.id)
                .append(" is now blocked behind this deadlock; it never continues either\n");
        thread.summarize(out, "  ");
        return out.toString();
    }

    /**
     * What ties each thread of the cycle to the next, for the headline: a lock it holds, its end (a join), or the
     * result of the task it runs (a future).
     */
    private String how() {
        int joins = 0;
        int results = 0;
        for (ThreadView t : cycle) {
            if (t.tie == ThreadView.Tie.JOIN) joins++;
            if (t.tie == ThreadView.Tie.RESULT) results++;
        }
        int locks = cycle.size() - joins - results;
        if (locks == cycle.size()) return "each waiting for a lock the next one holds";
        if (joins == cycle.size()) return "each joining the next one, which never ends";
        if (results == cycle.size()) return "each waiting for the result of a task the next one runs";
        List<String> ways = new ArrayList<>();
        if (locks > 0) ways.add("for a lock it holds");
        if (joins > 0) ways.add("for its end (a join)");
        if (results > 0) ways.add("for the result of a task it runs (a future)");
        return "each waiting for the next one: " + String.join(", or ", ways);
    }

    @Override
    public String summary() {
        StringBuilder out = new StringBuilder();
        out.append(title()).append(": ").append(cycle.size()).append(" threads, ").append(how()).append('\n');
        for (ThreadView t : cycle) t.summarize(out, "  ");
        out.append("  *** DEADLOCK: these threads never continue ***\n");
        return out.toString();
    }
}
