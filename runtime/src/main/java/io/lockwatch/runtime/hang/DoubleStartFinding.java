package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.util.ArrayList;
import java.util.List;

/** {@code start()} on a thread that was started before: the caller gets an IllegalThreadStateException. */
final class DoubleStartFinding extends HangFinding {
    private final String threadName;
    private final long threadId;
    private final String state;
    private final String callerName;
    private final long callerId;
    private final StackTraceElement site;
    private final StackTraceElement[] stack;

    DoubleStartFinding(String threadName, long threadId, String state, String callerName, long callerId,
                       StackTraceElement site, StackTraceElement[] stack) {
        super("double_start");
        this.threadName = threadName;
        this.threadId = threadId;
        this.state = state;
        this.callerName = callerName;
        this.callerId = callerId;
        this.site = site;
        this.stack = stack;
    }

    @Override
    public List<String> threadNames() {
        List<String> names = new ArrayList<>();
        names.add(threadName);
        if (!callerName.equals(threadName)) names.add(callerName);
        return names;
    }

    @Override
    void writeDetails(JsonWriter json) {
        json.name("thread").beginObject().field("name", threadName).field("id", threadId).field("state", state)
                .endObject();
        json.name("caller").beginObject().field("name", callerName).field("id", callerId).endObject();
        writeFrame(json, "site", site);
        json.frames("stack", stack);
    }

    @Override
    public String summary() {
        return title() + ": thread " + quoted(callerName) + " starts thread " + quoted(threadName)
                + " again (it is " + state + ") at " + (site != null ? site : "an unknown site")
                + "; Java throws IllegalThreadStateException and the work never runs a second time\n";
    }
}
