package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;

/** A thread joins itself: Java waits for the thread to end, which it never does while waiting. */
final class SelfJoinFinding extends CallFinding {
    private final String call;

    SelfJoinFinding(String threadName, long threadId, String call, StackTraceElement site, StackTraceElement[] stack) {
        super("self_join", threadName, threadId, site, stack);
        this.call = call;
    }

    @Override
    void writeDetails(JsonWriter json) {
        writeThread(json);
        json.field("call", call);
        writeCall(json);
    }

    @Override
    public String summary() {
        boolean forever = call.equals("join()") || call.equals("join(0)") || call.equals("join(0, 0)");
        return title() + ": thread " + quoted(threadName) + " calls " + call + " on itself at " + at()
                + (forever ? "; it waits for its own end, forever\n" : "; it just sleeps out the timeout\n");
    }
}
