package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.util.Collections;
import java.util.List;

/**
 * A mistake noticed at the call that makes it, on the thread that makes it (a self-join, a second start, a lock
 * asked for by its holder): the thread the call is about, the calling line and the stack there.
 */
abstract class CallFinding extends HangFinding {
    final String threadName;
    final long threadId;
    private final StackTraceElement site;
    private final StackTraceElement[] stack;

    CallFinding(String kind, String threadName, long threadId, StackTraceElement site, StackTraceElement[] stack) {
        super(kind);
        this.threadName = threadName;
        this.threadId = threadId;
        this.site = site;
        this.stack = stack;
    }

    @Override
    public List<String> threadNames() {
        return Collections.singletonList(threadName);
    }

    /** {@code "thread": {"name", "id"}}. */
    void writeThread(JsonWriter json) {
        json.name("thread").beginObject().field("name", threadName).field("id", threadId).endObject();
    }

    /** {@code "site"} and {@code "stack"}, after the finding's own fields. */
    void writeCall(JsonWriter json) {
        writeFrame(json, "site", site);
        json.frames("stack", stack);
    }

    /** The calling line, for a summary. */
    String at() {
        return site != null ? site.toString() : "an unknown site";
    }
}
