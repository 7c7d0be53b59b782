package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A stall on an owner-less wait: a thread waits (latch, condition, semaphore, barrier, phaser, join,
 * future, sleep...) for longer than the threshold while holding a lock that other threads are blocked on; the
 * threads blocked on theirs in turn ({@link WaitChains}) are listed too.
 * No owner cycle exists, so thread dumps' deadlock detection stays silent, but if whoever would end the
 * wait needs that lock, nothing moves again.
 */
final class StallFinding extends BlockingFinding {
    private final String waitingOn;

    /** What a waiter waits on when there is no object to name (a sleep, a wait the JVM does not name): its frame. */
    static String nothingIn(String topMethod) {
        return "nothing" + (topMethod != null ? " (in " + topMethod + ")" : "");
    }

    StallFinding(ThreadView waiter, String waitingOn, List<LockRef> locks, List<ThreadView> blocked) {
        super("stall", waiter, locks, blocked);
        this.waitingOn = waitingOn;
    }

    @Override
    void writeDetails(JsonWriter json) {
        json.field("waitingOn", waitingOn);
        writeHolderAndBlocked(json, "waiter");
    }

    @Override
    public String summary() {
        StringBuilder out = new StringBuilder();
        out.append(title()).append(": thread ").append(quoted(holder.name)).append(" has waited ")
                .append(ThreadView.seconds(holder.waitingMillis)).append(" on ").append(waitingOn);
        // The headline says where the wait was asked for (a pool's getConnection, say), not only on what.
        String askedIn = holder.firstFrameOutsideTheJdk();
        if (askedIn != null && !waitingOn.startsWith("nothing")) out.append(" in ").append(askedIn);
        out.append(" while holding ").append(String.join(", ", lockNames())).append(", which ");
        List<ThreadView> direct = new ArrayList<>();
        for (ThreadView b : blocked) {
            if (b.ownerId == holder.id || b.ownerId < 0) direct.add(b);
        }
        for (int i = 0; i < direct.size(); i++) {
            if (i > 0) out.append(i == direct.size() - 1 ? " and " : ", ");
            out.append(quoted(direct.get(i).name));
        }
        out.append(direct.size() == 1 ? " is" : " are").append(" blocked on");
        int behind = blocked.size() - direct.size();
        if (behind > 0) out.append(", and ").append(behind == 1 ? "1 more thread" : behind + " more threads").append(" behind them");
        out.append('\n');
        summarizeThreads(out);
        out.append("  if the wait needs any of these threads to go on, it never ends\n");
        return out.toString();
    }
}
