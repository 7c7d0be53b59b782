package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.Finding;
import io.lockwatch.runtime.report.JsonWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What every deadlock and hazard has in the report: {@code id}, {@code kind}, {@code foundAt},
 * {@code threads} (names) and {@code locks} ({@code class@identityHash}); then its own details.
 */
abstract class HangFinding implements Finding {
    private final String kind;
    private final String foundAt = Instant.now().toString();
    private volatile int id;

    HangFinding(String kind) {
        this.kind = kind;
    }

    /** Numbered by the detector when it publishes the finding. */
    void number(int id) {
        this.id = id;
    }

    int id() {
        return id;
    }

    @Override
    public String kind() {
        return kind;
    }

    /** "DEADLOCK #1" or "HAZARD #2 stall", the first words of the stderr block. */
    String title() {
        return "HAZARD #" + id + " " + kind;
    }

    @Override
    public final void writeJson(JsonWriter json) {
        json.beginObject();
        json.field("id", id);
        json.field("kind", kind);
        json.field("foundAt", foundAt);
        json.stringArray("threads", threadNames());
        json.stringArray("locks", lockNames());
        writeDetails(json);
        json.endObject();
    }

    abstract void writeDetails(JsonWriter json);

    @Override
    public abstract List<String> threadNames();

    /** The threads' names, after {@code first}'s (a finding's main thread) when it is not null. */
    static List<String> names(String first, List<ThreadView> threads) {
        List<String> names = new ArrayList<>();
        if (first != null) names.add(first);
        for (ThreadView t : threads) names.add(t.name);
        return names;
    }

    /** An array of threads, each as {@link ThreadView#write} writes it. */
    static void writeThreads(JsonWriter json, String name, List<ThreadView> threads) {
        json.name(name).beginArray();
        for (ThreadView t : threads) t.write(json);
        json.endArray();
    }

    static void writeFrame(JsonWriter json, String name, StackTraceElement frame) {
        json.name(name);
        if (frame == null) json.value((String) null);
        else json.value(frame.toString());
    }

    static String quoted(String threadName) {
        return '"' + threadName + '"';
    }
}
