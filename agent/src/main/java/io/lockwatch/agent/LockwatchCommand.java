package io.lockwatch.agent;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import io.lockwatch.runtime.config.Options;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code java -jar lockwatch-agent.jar}: says what the jar is and how to use it, and with
 * {@code attach PID [OPTIONS]} loads lockwatch into a JVM that is already running (a service frozen now, which a
 * restart would unfreeze and so hide) and says whether it runs there and where its report goes. It runs in a JVM
 * of its own, never in the application's, so it may exit with a status: 0 done, 1 the attach failed, 2 bad input.
 */
public final class LockwatchCommand {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int BAD_INPUT = 2;

    private LockwatchCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            out.print(usage());
            return OK;
        }
        if (args[0].equals("version") || args[0].equals("--version")) {
            out.println("lockwatch " + version());
            return OK;
        }
        if (!args[0].equals("attach")) {
            err.println("lockwatch: unknown command '" + args[0] + "'; the commands are attach, help and version");
            err.print(usage());
            return BAD_INPUT;
        }
        if (args.length < 2 || args.length > 3 || !args[1].matches("[0-9]{1,18}")) {
            err.println("lockwatch: attach takes a process id and, as one argument, the options: attach PID [key=value,key=value]"
                    + " (jcmd -l lists the JVMs you can attach to)");
            return BAD_INPUT;
        }
        long pid = Long.parseLong(args[1]);
        String options = args.length == 3 ? args[2] : "";
        if (pid == ProcessHandle.current().pid()) {
            err.println("lockwatch: " + pid + " is this command's own JVM; give the process id of the JVM to watch");
            return BAD_INPUT;
        }
        // Checked here, where the user reads the answer: the JVM attached to would say it only on its own stderr.
        List<String> problems = Options.parse(options, Map.of(), Map.of(), pid).problems();
        if (!problems.isEmpty()) {
            for (String problem : problems) err.println("lockwatch: " + problem.replace("; the default is used", "")
                    .replace("; it is ignored", ""));
            err.println("lockwatch: nothing was attached; fix the options and run the command again");
            return BAD_INPUT;
        }
        try {
            return Attach.load(pid, jarPath(), options, out, err);
        } catch (NoClassDefFoundError noAttachModule) {
            err.println("lockwatch: this Java runtime has no module jdk.attach (a JRE, or a jlink image without it), which"
                    + " attaching needs: run the command with a JDK's java, or load the agent with"
                    + " jcmd " + pid + " JVMTI.agent_load " + jarPath() + (options.isEmpty() ? "" : " '\"" + options + "\"'"));
            return FAILED;
        }
    }

    /** The Attach API's part, in a class of its own: a runtime without jdk.attach fails when it loads this class. */
    private static final class Attach {
        static int load(long pid, String jar, String options, PrintStream out, PrintStream err) {
            VirtualMachine vm;
            try {
                vm = VirtualMachine.attach(Long.toString(pid));
            } catch (AttachNotSupportedException | IOException e) {
                err.println("lockwatch: cannot attach to process " + pid + " (" + e.getMessage() + "). It must be a running"
                        + " JVM of JDK 17 or later, of this same user (or run this as root), started without"
                        + " -XX:+DisableAttachMechanism; jcmd -l lists the JVMs you can attach to");
                return FAILED;
            }
            try {
                vm.loadAgent(jar, options);
                return reply(pid, vm.getAgentProperties(), out, err);
            } catch (AgentLoadException | AgentInitializationException | IOException e) {
                err.println("lockwatch: JVM " + pid + " could not load " + jar + " (" + e + "); its stderr may say more");
                return FAILED;
            } finally {
                try {
                    vm.detach();
                } catch (IOException ignored) {
                    // the JVM went away: nothing to let go of
                }
            }
        }
    }

    /** What lockwatch in the other JVM said through its agent properties ({@link AttachReply}). */
    private static int reply(long pid, Properties agentProperties, PrintStream out, PrintStream err) {
        String report = agentProperties.getProperty(AttachReply.REPORT);
        String state = agentProperties.getProperty(AttachReply.STATE);
        if (report == null) {
            err.println("lockwatch: loaded into JVM " + pid + ", but it does not run there (turned off there, or it could"
                    + " not start): that JVM's stderr has a [lockwatch] line that says why");
            return FAILED;
        }
        if (AttachReply.REPORT_NOT_WRITABLE.equals(state)) {
            err.println("lockwatch: JVM " + pid + " cannot write a report at " + report + " (no such folder, or not"
                    + " writable for its user), so lockwatch was not started there: attach again with report=PATH in a"
                    + " folder it can write, e.g. report=/tmp/lockwatch-%p.json");
            return FAILED;
        }
        if (AttachReply.ALREADY_RUNNING.equals(state)) {
            out.println("lockwatch was already watching JVM " + pid + " (it keeps the options it started with); report: " + report);
        } else {
            out.println("lockwatch is watching JVM " + pid + "; report: " + report);
        }
        return OK;
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
                .append("Other commands: help, version.\n\n")
                .append("OPTIONS is key=value,key=value; in the JVM itself also -Dlockwatch.KEY=value or LOCKWATCH_KEY=value:\n");
        for (Options.Key key : Options.Key.values()) {
            text.append(String.format("  %-21s %s%n", key.name, key.accepts));
        }
        return text.toString();
    }
}
