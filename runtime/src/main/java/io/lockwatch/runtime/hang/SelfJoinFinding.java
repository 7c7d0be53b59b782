package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.util.Collections;
import java.util.List;

/** A thread joins itself: Java waits for the thread to end, which it never does while waiting. */
final class SelfJoinFinding extends HangFinding {
    private final String threadName;
    private final long threadId;
    private final String call;
    private final StackTraceElement site;
    private final StackTraceElement[] stack;

    SelfJoinFinding(String threadName, long threadId, String call, StackTraceElement site, StackTraceElement[] stack) {
        super("self_join");
        this.threadName = threadName;
        this.threadId = threadId;
        this.call = call;
        this.site = site;
        this.stack = stack;
    }

    @Override
    public List<String> threadNames() {
        return Collections.singletonList(threadName);
    }

    @Override
    void writeDetails(JsonWriter json) {
        json.name("thread").beginObject().field("name", threadName).field("id", threadId).endObject();
        json.field("call", call);
        writeFrame(json, "site", site);
        json.frames("stack", stack);
    }

    @Override
    public String summary() {
        boolean forever = call.equals("join()") || call.equals("join(0)") || call.equals("join(0, 0)");
        return title() + ": thread " + quoted(threadName) + " calls " + call + " on itself at "
                + (site != null ? site : "an unknown site")
                + (forever ? "; it waits for its own end, forever\n" : "; it just sleeps out the timeout\n");
    }
}
