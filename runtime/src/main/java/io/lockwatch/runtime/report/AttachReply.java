package io.lockwatch.runtime.report;

import io.lockwatch.runtime.util.InternalErrors;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;

/**
 * What lockwatch tells the jar's command ({@code LockwatchCommand}: {@code attach}, {@code status}), run in another
 * process: whether it runs in this JVM, and where its report is. It is put in the JVM's agent properties, which the
 * Attach API's {@code VirtualMachine.getAgentProperties()} reads from the other process: the channel the JDK's own
 * management agent uses for its address. The application's stderr, where lockwatch says the same, is often not the
 * attaching user's to read (a service's log). Set at every start, premain's too (two properties; the agent exports
 * {@code jdk.internal.vm} to lockwatch with the rest of what it opens in java.base), and again when the report moves
 * (next to another running JVM's, see {@link Report}).
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

    private AttachReply() {}

    /** lockwatch runs, and writes its report here. */
    public static void running(Path report) {
        put(RUNNING, report.toString());
    }

    /** The report's findings now, for {@code status}: set by lockwatch's own threads, as each finding is added. */
    static void found(int potentialDeadlocks, int deadlocks, int hazards) {
        try {
            Properties agentProperties = jdk.internal.vm.VMSupport.getAgentProperties();
            agentProperties.setProperty(POTENTIAL_DEADLOCKS, Integer.toString(potentialDeadlocks));
            agentProperties.setProperty(DEADLOCKS, Integer.toString(deadlocks));
            agentProperties.setProperty(HAZARDS, Integer.toString(hazards));
        } catch (Throwable t) {
            InternalErrors.record("telling the jar's command what the report holds", t);
        }
    }

    /** An attach did not start lockwatch, because this JVM cannot write a report at {@code path}. */
    public static void refused(String path) {
        put(REPORT_NOT_WRITABLE, path);
    }

    private static void put(String state, String reportPath) {
        try {
            Properties agentProperties = jdk.internal.vm.VMSupport.getAgentProperties();
            agentProperties.setProperty(REPORT, Paths.get(reportPath).toAbsolutePath().toString());
            agentProperties.setProperty(STATE, state);
        } catch (Throwable t) {
            InternalErrors.record("telling the jar's command where the report is", t);
        }
    }
}
