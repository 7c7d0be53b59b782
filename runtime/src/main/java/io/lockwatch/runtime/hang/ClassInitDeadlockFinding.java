package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A deadlock in static initializers ({@link ClassInitDeadlocks}): threads each waiting for the initialization of a
 * class that the next one is initializing, or for a lock that the next one holds, at least one of them for a class.
 * Reported with the deadlocks; its {@code cycle} lists the threads as a lock deadlock does, each with the class it
 * waits for (null for a lock wait, which its {@code waitingFor} and {@code owner} show) and the classes it is
 * initializing.
 */
final class ClassInitDeadlockFinding extends DeadlockFinding {
    /** For each thread of the cycle: the class it waits for, or null for a lock. */
    private final List<String> waitsFor;
    private final List<List<String>> initializing;

    ClassInitDeadlockFinding(List<ThreadView> cycle, List<String> waitsFor, List<List<String>> initializing) {
        super("class_init_deadlock", cycle);
        this.waitsFor = waitsFor;
        this.initializing = initializing;
    }

    /** What each waits for: the initialization of a class (there is no lock object to name), or a lock. */
    @Override
    public List<String> lockNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < cycle.size(); i++) {
            LockRef lock = cycle.get(i).waitingFor;
            names.add(waitsFor.get(i) != null ? "initialization of " + waitsFor.get(i) : lock != null ? lock.name() : "unknown");
        }
        return names;
    }

    private boolean locksToo() {
        return waitsFor.contains(null);
    }

    @Override
    void writeDetails(JsonWriter json) {
        json.name("cycle").beginArray();
        for (int i = 0; i < cycle.size(); i++) {
            int at = i;
            cycle.get(i).write(json, more -> more.field("waitingForInitializationOf", waitsFor.get(at)) // null: a lock
                    .stringArray("initializing", initializing.get(at)));
        }
        json.endArray();
    }

    @Override
    public String summary() {
        StringBuilder out = new StringBuilder();
        out.append(title()).append(": ").append(cycle.size()).append(locksToo()
                ? " threads, each waiting for the initialization of a class the next one is initializing or for a lock it holds\n"
                : " threads, each waiting for the initialization of a class the next one is initializing\n");
        for (int i = 0; i < cycle.size(); i++) {
            ThreadView t = cycle.get(i);
            ThreadView next = cycle.get((i + 1) % cycle.size());
            t.summarize(out, "  ");
            if (waitsFor.get(i) == null) continue; // its lock and the lock's owner are in the lines above
            out.append("    waits for the initialization of ").append(waitsFor.get(i)).append(", which \"")
                    .append(next.name).append("\" #").append(next.id).append(" is running (static initializer)\n");
        }
        out.append("  *** DEADLOCK: these threads never continue, and every thread that next uses one of these classes"
                + " hangs too (a thread dump shows them RUNNABLE, waiting on a class initialization monitor) ***\n");
        return out.toString();
    }
}
