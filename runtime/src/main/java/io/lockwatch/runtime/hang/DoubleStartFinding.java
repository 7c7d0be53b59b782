package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.util.ArrayList;
import java.util.List;

/** {@code start()} on a thread that was started before: the caller gets an IllegalThreadStateException. */
final class DoubleStartFinding extends CallFinding {
    private final String state;
    private final String callerName;
    private final long callerId;

    DoubleStartFinding(String threadName, long threadId, String state, String callerName, long callerId,
                       StackTraceElement site, StackTraceElement[] stack) {
        super("double_start", threadName, threadId, site, stack);
        this.state = state;
        this.callerName = callerName;
        this.callerId = callerId;
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
        writeCall(json);
    }

    @Override
    public String summary() {
        return title() + ": thread " + quoted(callerName) + " starts thread " + quoted(threadName)
                + " again (it is " + state + ") at " + at()
                + "; Java throws IllegalThreadStateException and the work never runs a second time\n";
    }
}
