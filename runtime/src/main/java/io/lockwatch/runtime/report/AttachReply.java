package io.lockwatch.runtime.report;

import io.lockwatch.runtime.util.InternalErrors;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What lockwatch tells the jar's command ({@code LockwatchCommand}: {@code attach}, {@code status}), run in another
 * process: whether it runs in this JVM, and where its report is. It is put in the JVM's agent properties, which the
 * Attach API's {@code VirtualMachine.getAgentProperties()} reads from the other process: the channel the JDK's own
 * management agent uses for its address. The application's stderr, where lockwatch says the same, is often not the
 * attaching user's to read (a service's log). Set at the report's first write, on lockwatch's own thread (premain's
 * start, which runs on the application's main thread, gains nothing), once the path is settled (it may move next to
 * another running JVM's report, see {@link Report}); the agent exports {@code jdk.internal.vm} to lockwatch with the
 * rest of what it opens in java.base.
 */
public final class AttachReply {
    /** The report's absolute path: where lockwatch writes it, or where it could not. */
    public static final String REPORT = "lockwatch.report";
    /** {@link #RUNNING}, or {@link #REPORT_NOT_WRITABLE} after an attach that started nothing. */
    public static final String STATE = "lockwatch.state";
    public static final String RUNNING = "running";
    public static final String REPORT_NOT_WRITABLE = "report not writable";
    /** How many of each the report holds, as numbers; unset until the first finding. */
    public static final String POTENTIAL_DEADLOCKS = "lockwatch.potentialDeadlocks";
    public static final String DEADLOCKS = "lockwatch.deadlocks";
    public static final String HAZARDS = "lockwatch.hazards";
    /**
     * How many attaches were refused ({@link #refused}): the command compares it before and after its own, since a
     * refusal's state stays after it, and a later attach that starts nothing for another reason (turned off by its
     * options) says nothing here.
     */
    public static final String REFUSALS = "lockwatch.refusals";

    /** Attaches refused so far; the JVM's attach listener runs them one at a time. */
    private static int refusals;

    private AttachReply() {}

    /** lockwatch runs, and writes its report here (an absolute path). Said at the report's first write. */
    static void running(Path report) {
        set("where the report is", REPORT, report.toString(), STATE, RUNNING);
    }

    /** The report's findings now, for {@code status}: set by lockwatch's own threads, as each finding is added. */
    static void found(int potentialDeadlocks, int deadlocks, int hazards) {
        set("what the report holds", POTENTIAL_DEADLOCKS, Integer.toString(potentialDeadlocks),
                DEADLOCKS, Integer.toString(deadlocks), HAZARDS, Integer.toString(hazards));
    }

    /** An attach did not start lockwatch, because this JVM cannot write a report at {@code path} (absolute). */
    public static void refused(String path) {
        set("where the report could not be", REPORT, path, STATE, REPORT_NOT_WRITABLE, REFUSALS,
                Integer.toString(++refusals));
    }

    private static void set(String what, String... keysAndValues) {
        try {
            Properties agentProperties = jdk.internal.vm.VMSupport.getAgentProperties();
            for (int i = 0; i < keysAndValues.length; i += 2) agentProperties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        } catch (Throwable t) {
            InternalErrors.record("telling the jar's command " + what, t);
        }
    }
}
