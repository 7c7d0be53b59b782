package io.lockwatch.runtime.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One JFR event per finding (potential deadlock, deadlock, hazard), committed when the finding is made,
 * so a flight recording holds the same evidence as the report. The stack trace would be lockwatch's own
 * detector thread, so it is off; the threads' stacks are in the summary.
 */
@Name("lockwatch.Finding")
@Category("lockwatch")
@Label("lockwatch Finding")
@Description("A deadlock, a potential deadlock (lock-order inversion) or a hang hazard found by lockwatch")
@StackTrace(false)
public final class FindingEvent extends Event {
    @Label("Kind")
    @Description("deadlock, lock-order-inversion, stall, self_join, dead_owner or double_start")
    String kind;

    @Label("Summary")
    @Description("The finding as lockwatch prints it on stderr")
    String summary;

    @Label("Threads")
    @Description("Names of the threads involved, separated by ', '")
    String threads;

    @Label("Locks")
    @Description("The locks involved (class@identityHash), separated by ', '")
    String locks;

    /** Commits one event if a recording wants it. */
    public static void emit(String kind, String summary, String threads, String locks) {
        FindingEvent event = new FindingEvent();
        if (!event.isEnabled()) return;
        event.kind = kind;
        event.summary = summary;
        event.threads = threads;
        event.locks = locks;
        event.commit();
    }
}
