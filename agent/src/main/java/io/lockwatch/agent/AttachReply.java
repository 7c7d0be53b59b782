package io.lockwatch.agent;

import io.lockwatch.runtime.Lockwatch;
import io.lockwatch.runtime.report.Report;
import io.lockwatch.runtime.track.LockTracker;
import io.lockwatch.runtime.util.InternalErrors;
import java.lang.instrument.Instrumentation;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * What lockwatch, loaded into a running JVM, tells the command that loaded it ({@link LockwatchCommand}): whether
 * it runs, and where its report goes. The answer is put in the JVM's agent properties, which the Attach API's
 * {@code VirtualMachine.getAgentProperties()} reads from the other process: the channel the JDK's own management
 * agent uses for its address. The application's stderr, where lockwatch says the same, is often not the attaching
 * user's to read (a service's log). Only agentmain does this; a JVM started with {@code -javaagent} pays nothing.
 */
final class AttachReply {
    /** The report's absolute path: where lockwatch writes it, or where it could not. */
    static final String REPORT = "lockwatch.report";
    /** How this attach went: one of the three below. */
    static final String STATE = "lockwatch.state";
    static final String STARTED = "started";
    /** An earlier start, with its own options, runs. */
    static final String ALREADY_RUNNING = "already running";
    /** Not started: this JVM cannot write in the report's folder. */
    static final String REPORT_NOT_WRITABLE = "report not writable";

    private AttachReply() {}

    /** After the install: says how it went, or nothing if lockwatch does not run (the stderr line says why). */
    static void publish(Instrumentation inst, String state) {
        Report report = Lockwatch.report();
        if (report != null) put(inst, state, report.path().toString());
    }

    /** lockwatch was not started, because this JVM cannot write a report at {@code path}. */
    static void refused(Instrumentation inst, String path) {
        put(inst, REPORT_NOT_WRITABLE, path);
    }

    private static void put(Instrumentation inst, String state, String reportPath) {
        try {
            Properties agentProperties = agentProperties(inst);
            agentProperties.setProperty(REPORT, Paths.get(reportPath).toAbsolutePath().toString());
            agentProperties.setProperty(STATE, state);
        } catch (Throwable t) {
            InternalErrors.record("telling the attaching command how lockwatch started", t);
        }
    }

    /** The JVM's agent properties, in a package of java.base that is exported to lockwatch here. */
    private static Properties agentProperties(Instrumentation inst) {
        Module base = Object.class.getModule();
        inst.redefineModule(base, Set.of(), Map.of("jdk.internal.vm", Set.of(LockTracker.class.getModule())), Map.of(),
                Set.of(), Map.of());
        return jdk.internal.vm.VMSupport.getAgentProperties();
    }
}
