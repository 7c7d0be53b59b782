package io.lockwatch.runtime.report;

import io.lockwatch.runtime.graph.Edge;
import io.lockwatch.runtime.graph.LockNode;
import io.lockwatch.runtime.graph.Occurrence;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A lock-order inversion: a cycle in the lock-order graph whose edges different threads took, so that
 * an unlucky interleaving deadlocks even though this run did not.
 */
public final class PotentialDeadlock implements Finding {
    /** One edge of the cycle with the occurrence that makes it part of a possible deadlock. */
    private static final class Step {
        final String heldLock;
        final String heldClass;
        final String heldHash;
        final String takenLock;
        final String takenClass;
        final String takenHash;
        final Occurrence occurrence;
        final List<String> allThreads;

        Step(Edge edge, Occurrence occurrence) {
            this.heldLock = edge.from.displayName();
            this.heldClass = edge.from.className;
            this.heldHash = Integer.toHexString(edge.from.identityHash);
            this.takenLock = edge.to.displayName();
            this.takenClass = edge.to.className;
            this.takenHash = Integer.toHexString(edge.to.identityHash);
            this.occurrence = occurrence;
            Set<String> threads = new LinkedHashSet<>();
            for (Occurrence o : edge.occurrences()) threads.add(o.threadName);
            this.allThreads = new ArrayList<>(threads);
        }
    }

    private final int id;
    private final String foundAt;
    private final List<Step> steps = new ArrayList<>();

    public PotentialDeadlock(int id, Edge[] cycle, Occurrence[] witness) {
        this.id = id;
        this.foundAt = Instant.now().toString();
        for (int i = 0; i < cycle.length; i++) steps.add(new Step(cycle[i], witness[i]));
    }

    /** The locks of the cycle, in cycle order. */
    public List<String> locks() {
        List<String> locks = new ArrayList<>();
        for (Step s : steps) locks.add(s.heldLock);
        return locks;
    }

    @Override
    public String kind() {
        return "lock-order-inversion";
    }

    @Override
    public List<String> lockNames() {
        return locks();
    }

    @Override
    public List<String> threadNames() {
        List<String> threads = new ArrayList<>();
        for (Step s : steps) threads.add(s.occurrence.threadName);
        return threads;
    }

    @Override
    public void writeJson(JsonWriter json) {
        json.beginObject();
        json.field("id", id);
        json.field("kind", kind());
        json.field("foundAt", foundAt);
        json.stringArray("locks", locks());
        json.stringArray("threads", threadNames());
        json.name("edges").beginArray();
        for (Step s : steps) {
            Occurrence o = s.occurrence;
            json.beginObject();
            json.name("held").beginObject()
                    .field("lock", s.heldLock).field("class", s.heldClass).field("identityHash", s.heldHash)
                    .field("mode", Occurrence.modeName(o.heldMode)).endObject();
            json.name("taken").beginObject()
                    .field("lock", s.takenLock).field("class", s.takenClass).field("identityHash", s.takenHash)
                    .field("mode", Occurrence.modeName(o.takenMode)).endObject();
            json.name("thread").beginObject().field("name", o.threadName).field("id", o.threadId).endObject();
            json.stringArray("threadsSeen", s.allThreads);
            json.field("blocking", !o.nonBlocking);
            json.frames("heldStack", o.heldStack);
            json.frames("takenStack", o.takenStack);
            json.endObject();
        }
        json.endArray();
        json.field("scenario", scenario());
        json.endObject();
    }

    @Override
    public String summary() {
        StringBuilder out = new StringBuilder();
        out.append("POTENTIAL DEADLOCK #").append(id).append(": lock-order inversion over ")
                .append(steps.size()).append(" locks between ").append(steps.size()).append(" threads\n");
        for (Step s : steps) {
            Occurrence o = s.occurrence;
            out.append("  thread \"").append(o.threadName).append("\" holds ").append(s.heldLock)
                    .append(" (taken at ").append(top(o.heldStack)).append(")\n");
            out.append("      and takes ").append(s.takenLock).append(" at ").append(top(o.takenStack)).append('\n');
        }
        out.append(scenario());
        return out.toString();
    }

    /** Lockdep-style: the interleaving that deadlocks, one column per thread. */
    private String scenario() {
        int columns = steps.size();
        List<String> names = new ArrayList<>();
        int width = 8;
        for (Step s : steps) {
            names.add(s.occurrence.threadName);
            width = Math.max(width, Math.max(s.occurrence.threadName.length(), shortName(s.heldLock).length() + 14));
        }
        StringBuilder out = new StringBuilder("  possible interleaving:\n");
        out.append(row(names, width)).append(row(dashes(columns, width), width));
        for (int i = 0; i < columns; i++) out.append(cell(i, columns, "lock " + shortName(steps.get(i).heldLock), width));
        for (int i = 0; i < columns; i++) {
            out.append(cell(i, columns, "lock " + shortName(steps.get(i).takenLock) + " (waits)", width));
        }
        out.append("  *** DEADLOCK ***\n");
        return out.toString();
    }

    private static String cell(int column, int columns, String text, int width) {
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < columns; i++) cells.add(i == column ? text : "");
        return row(cells, width);
    }

    private static List<String> dashes(int columns, int width) {
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < columns; i++) cells.add("-".repeat(width));
        return cells;
    }

    private static String row(List<String> cells, int width) {
        StringBuilder line = new StringBuilder("    ");
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) line.append(" | ");
            String c = cells.get(i);
            line.append(c).append(" ".repeat(Math.max(0, width - c.length())));
        }
        return line.toString().stripTrailing() + "\n";
    }

    private static String shortName(String lock) {
        int dot = lock.lastIndexOf('.', lock.indexOf('@') < 0 ? lock.length() : lock.indexOf('@'));
        return lock.substring(dot + 1);
    }

    private static String top(StackTraceElement[] stack) {
        return stack == null || stack.length == 0 ? "unknown" : stack[0].toString();
    }
}
