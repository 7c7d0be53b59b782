package io.lockwatch.agent;

import io.lockwatch.runtime.report.Report;
import io.lockwatch.runtime.util.InternalErrors;
import java.nio.file.Paths;
import java.util.Properties;

/**
 * What lockwatch tells the jar's command ({@link LockwatchCommand}), run in another process: whether it runs in this
 * JVM, and where its report goes. It is put in the JVM's agent properties, which the Attach API's
 * {@code VirtualMachine.getAgentProperties()} reads from the other process: the channel the JDK's own management
 * agent uses for its address. The application's stderr, where lockwatch says the same, is often not the attaching
 * user's to read (a service's log). Set at every start, premain's too (two properties; {@code jdk.internal.vm} is
 * exported to lockwatch with the rest of what it opens in java.base), so that the command tells a JVM that runs
 * lockwatch already without loading it again.
 */
final class AttachReply {
    /** The report's absolute path: where lockwatch writes it, or where it could not. */
    static final String REPORT = "lockwatch.report";
    /** {@link #RUNNING}, or {@link #REPORT_NOT_WRITABLE} after an attach that started nothing. */
    static final String STATE = "lockwatch.state";
    static final String RUNNING = "running";
    static final String REPORT_NOT_WRITABLE = "report not writable";

    private AttachReply() {}

    /** lockwatch runs, and writes this report. */
    static void running(Report report) {
        put(RUNNING, report.path().toString());
    }

    /** An attach did not start lockwatch, because this JVM cannot write a report at {@code path}. */
    static void refused(String path) {
        put(REPORT_NOT_WRITABLE, path);
    }

    private static void put(String state, String reportPath) {
        try {
            Properties agentProperties = jdk.internal.vm.VMSupport.getAgentProperties();
            agentProperties.setProperty(REPORT, Paths.get(reportPath).toAbsolutePath().toString());
            agentProperties.setProperty(STATE, state);
        } catch (Throwable t) {
            InternalErrors.record("telling the jar's command how lockwatch started", t);
        }
    }
}
