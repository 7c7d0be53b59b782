package io.lockwatch.agent;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import io.lockwatch.runtime.config.Options;
import io.lockwatch.runtime.report.AttachReply;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * {@code java -jar lockwatch-agent.jar}: says what the jar is and how to use it. {@code attach PID [OPTIONS]} loads
 * lockwatch into a JVM that is already running (a service frozen now, which a restart would unfreeze and so hide)
 * and says whether it runs there and where its report goes; {@code status PID} says whether it runs there. It runs
 * in a JVM of its own, never in the application's, so it may exit with a status: 0 lockwatch watches that JVM, 1 the
 * attach failed, 2 bad input, 3 ({@code status}) lockwatch does not run there.
 */
public final class LockwatchCommand {
    static final int WATCHING = 0;
    static final int FAILED = 1;
    static final int BAD_INPUT = 2;
    static final int NOT_WATCHING = 3;

    private LockwatchCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "help" : args[0];
        switch (command) {
            case "help":
            case "--help":
            case "-h":
                out.print(usage());
                return 0;
            case "version":
            case "--version":
                out.println("lockwatch " + version());
                return 0;
            case "attach":
                return attach(args, out, err);
            case "status":
                return status(args, out, err);
            default:
                err.println("lockwatch: unknown command '" + command + "'; the commands are attach, status, help and version");
                err.print(usage());
                return BAD_INPUT;
        }
    }

    private static int attach(String[] args, PrintStream out, PrintStream err) {
        long pid = pid(args, 3, "attach PID [key=value,key=value] (the options as one argument)", err);
        if (pid < 0) return BAD_INPUT;
        String options = args.length == 3 ? args[2] : "";
        // Checked here, where the user reads the answer: the JVM attached to would say it only on its own stderr.
        List<String> problems = Options.parse(options, Map.of(), Map.of(), pid).problems();
        if (!problems.isEmpty()) {
            for (String problem : problems) {
                err.println("lockwatch: " + problem.replace("; the default is used", "").replace("; it is ignored", ""));
            }
            err.println("lockwatch: nothing was attached; fix the options and run the command again");
            return BAD_INPUT;
        }
        try {
            return Attach.load(pid, jarPath(), options, out, err);
        } catch (NoClassDefFoundError noAttachModule) {
            err.println(noAttachModule(pid) + ", or load the agent with jcmd " + pid + " JVMTI.agent_load " + jarPath()
                    + (options.isEmpty() ? "" : " '\"" + options + "\"'"));
            return FAILED;
        }
    }

    private static int status(String[] args, PrintStream out, PrintStream err) {
        long pid = pid(args, 2, "status PID", err);
        if (pid < 0) return BAD_INPUT;
        try {
            return Attach.status(pid, out, err);
        } catch (NoClassDefFoundError noAttachModule) {
            err.println(noAttachModule(pid));
            return FAILED;
        }
    }

    /** The process id in {@code args[1]}, or -1 after saying what is wrong. */
    private static long pid(String[] args, int maxArgs, String form, PrintStream err) {
        if (args.length < 2 || args.length > maxArgs || !args[1].matches("[0-9]{1,18}")) {
            err.println("lockwatch: " + args[0] + " takes a process id: " + form + " (jcmd -l lists the JVMs you can"
                    + " attach to)");
            return -1;
        }
        long pid = Long.parseLong(args[1]);
        if (pid == ProcessHandle.current().pid()) {
            err.println("lockwatch: " + pid + " is this command's own JVM; give the process id of the JVM to watch");
            return -1;
        }
        return pid;
    }

    private static String noAttachModule(long pid) {
        return "lockwatch: this Java runtime has no module jdk.attach (a JRE, or a jlink image without it), which"
                + " attaching to JVM " + pid + " needs: run the command with a JDK's java";
    }

    /** The Attach API's part, in a class of its own: a runtime without jdk.attach fails when it loads this class. */
    private static final class Attach {
        static int load(long pid, String jar, String options, PrintStream out, PrintStream err) {
            VirtualMachine vm = attachTo(pid, err);
            if (vm == null) return FAILED;
            try {
                // A lockwatch that runs there already keeps its options: said without loading it again.
                Properties before = vm.getAgentProperties();
                if (AttachReply.RUNNING.equals(before.getProperty(AttachReply.STATE))) {
                    out.println("lockwatch was already watching JVM " + pid + " (it keeps the options it started with);"
                            + " report: " + before.getProperty(AttachReply.REPORT));
                    return WATCHING;
                }
                vm.loadAgent(jar, options);
                return reply(pid, vm.getAgentProperties(), before.getProperty(AttachReply.REFUSALS), out, err);
            } catch (AgentLoadException | AgentInitializationException | IOException e) {
                err.println("lockwatch: JVM " + pid + " could not load " + jar + " (" + e + "); its stderr may say more");
                return FAILED;
            } finally {
                detach(vm);
            }
        }

        static int status(long pid, PrintStream out, PrintStream err) {
            VirtualMachine vm = attachTo(pid, err);
            if (vm == null) return FAILED;
            try {
                Properties now = vm.getAgentProperties();
                if (AttachReply.RUNNING.equals(now.getProperty(AttachReply.STATE))) {
                    out.println("lockwatch is watching JVM " + pid + "; report: " + now.getProperty(AttachReply.REPORT));
                    out.println("found so far: " + count(now, AttachReply.POTENTIAL_DEADLOCKS, "potential deadlock") + ", "
                            + count(now, AttachReply.DEADLOCKS, "deadlock") + ", " + count(now, AttachReply.HAZARDS, "hazard"));
                    return WATCHING;
                }
                out.println("lockwatch does not run in JVM " + pid + " (attach it with: attach " + pid + " [OPTIONS])");
                return NOT_WATCHING;
            } catch (IOException e) {
                err.println("lockwatch: cannot read the state of JVM " + pid + " (" + e + ")");
                return FAILED;
            } finally {
                detach(vm);
            }
        }

        /** "1 deadlock", "2 hazards": a count the report holds, 0 before lockwatch's first finding. */
        private static String count(Properties agentProperties, String key, String what) {
            String n = agentProperties.getProperty(key, "0");
            return n + " " + what + (n.equals("1") ? "" : "s");
        }

        private static VirtualMachine attachTo(long pid, PrintStream err) {
            try {
                return VirtualMachine.attach(Long.toString(pid));
            } catch (AttachNotSupportedException | IOException e) {
                err.println("lockwatch: cannot attach to process " + pid + " (" + e.getMessage() + "). It must be a running"
                        + " JVM of JDK 17 or later, of this same user (or run this as root), started without"
                        + " -XX:+DisableAttachMechanism; jcmd -l lists the JVMs you can attach to");
                return null;
            }
        }

        private static void detach(VirtualMachine vm) {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the JVM went away: nothing to let go of
            }
        }
    }

    /**
     * What lockwatch in the other JVM said through its agent properties ({@link AttachReply}) after the load; a refusal
     * is this load's only if it counted one more than there were before it ({@code refusalsBefore}).
     */
    private static int reply(long pid, Properties agentProperties, String refusalsBefore, PrintStream out, PrintStream err) {
        String report = agentProperties.getProperty(AttachReply.REPORT);
        String state = agentProperties.getProperty(AttachReply.STATE);
        if (AttachReply.RUNNING.equals(state)) {
            out.println("lockwatch is watching JVM " + pid + "; report: " + report);
            return WATCHING;
        }
        if (AttachReply.REPORT_NOT_WRITABLE.equals(state)
                && !Objects.equals(refusalsBefore, agentProperties.getProperty(AttachReply.REFUSALS))) {
            err.println("lockwatch: JVM " + pid + " cannot write a report at " + report + " (no such folder, or not"
                    + " writable for its user), so lockwatch was not started there: attach again with report=PATH in a"
                    + " folder it can write, e.g. report=/tmp/lockwatch-%p.json");
            return FAILED;
        }
        err.println("lockwatch: loaded into JVM " + pid + ", but it does not run there (turned off there, or it could"
                + " not start): that JVM's stderr has a [lockwatch] line that says why");
        return FAILED;
    }

    private static String jarPath() {
        try {
            return new File(LockwatchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        } catch (Exception e) {
            return "lockwatch-agent.jar";
        }
    }

    private static String version() {
        String version = LockwatchCommand.class.getPackage().getImplementationVersion();
        return version != null ? version : "unknown";
    }

    static String usage() {
        StringBuilder text = new StringBuilder();
        text.append("lockwatch ").append(version()).append(": a Java agent that watches a JVM's locks, and reports\n")
                .append("lock-order inversions, deadlocks and hangs on stderr, in a JSON report, in JFR and as metrics.\n\n")
                .append("Start a JVM with it:\n")
                .append("  java -javaagent:").append(jarPath()).append("[=OPTIONS] ...\n")
                .append("Load it into a JVM that is running (of JDK 17 or later, and of the same user):\n")
                .append("  java -jar ").append(jarPath()).append(" attach PID [OPTIONS]\n")
                .append("Whether it runs in a JVM, and where its report is:\n")
                .append("  java -jar ").append(jarPath()).append(" status PID\n")
                .append("Other commands: help, version. Exit status: 0 lockwatch watches that JVM, 1 the attach failed,\n")
                .append("2 bad input, 3 (status) lockwatch does not run there.\n\n")
                .append("OPTIONS is key=value,key=value; in the JVM itself also -Dlockwatch.KEY=value or LOCKWATCH_KEY=value:\n");
        for (Options.Key key : Options.Key.values()) {
            text.append(String.format("  %-21s %s%n", key.name, key.accepts));
        }
        return text.toString();
    }
}
