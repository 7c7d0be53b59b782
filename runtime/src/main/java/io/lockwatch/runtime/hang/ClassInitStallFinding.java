package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A stall in a static initializer: a thread runs a class's static initializer and has waited longer than the
 * threshold on something no thread owns (a future, a latch, a join, a sleep), while other threads wait for that
 * class's initialization. The stall of a lock holder, with the class's initialization as the lock; the classic is a
 * static initializer that waits for tasks of a pool (a parallel stream's) that themselves need the class: then
 * nothing moves again, and no thread dump shows why.
 */
final class ClassInitStallFinding extends HangFinding {
    private final ThreadView initializer;
    private final String waitingOn;
    private final String className;
    private final List<ThreadView> waiters;

    ClassInitStallFinding(ThreadView initializer, String waitingOn, String className, List<ThreadView> waiters) {
        super("class_init_stall");
        this.initializer = initializer;
        this.waitingOn = waitingOn;
        this.className = className;
        this.waiters = waiters;
    }

    @Override
    public List<String> threadNames() {
        return names(initializer.name, waiters);
    }

    @Override
    public List<String> lockNames() {
        List<String> names = new ArrayList<>();
        names.add("initialization of " + className);
        return names;
    }

    @Override
    void writeDetails(JsonWriter json) {
        json.field("class", className).field("waitingOn", waitingOn);
        json.name("initializer");
        initializer.write(json);
        writeThreads(json, "waiters", waiters);
    }

    @Override
    public String summary() {
        StringBuilder out = new StringBuilder();
        out.append(title()).append(": \"").append(initializer.name).append("\" #").append(initializer.id)
                .append(" runs the static initializer of ").append(className).append(" and waits on ").append(waitingOn)
                .append(", while ").append(waiters.size() == 1 ? "1 thread waits" : waiters.size() + " threads wait")
                .append(" for that class's initialization\n");
        initializer.summarize(out, "  ");
        for (ThreadView w : waiters) {
            w.summarize(out, "  ");
            out.append("    waits for the initialization of ").append(className).append('\n');
        }
        out.append("  if what the initializer waits for needs one of these threads (a task of a pool, a parallel stream),"
                + " nothing moves again: a static initializer should not wait for other threads\n");
        return out.toString();
    }
}
