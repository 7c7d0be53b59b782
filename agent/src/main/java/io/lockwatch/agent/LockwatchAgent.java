package io.lockwatch.agent;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.jar.JarFile;

/**
 * The {@code Premain-Class}: the one class of lockwatch that the application's class loader loads.
 *
 * <p>Start-up is delicate, so this class does only three things. It reads whether lockwatch is turned off
 * ({@code enabled=false}), and if so leaves the JVM as it is. It appends its own jar to the bootstrap
 * class path, because instrumented JDK classes (loaded by the bootstrap loader) must be able to call the
 * runtime; then it hands over to {@link AgentInstaller}, loaded from there. Its one reference to another
 * lockwatch class is that hand-over, which the JVM resolves only when it first runs, after the append, and
 * which checks that it reached the bootstrap loader's copy (every lockwatch class must come from there, not
 * from this class's loader). It keeps no state, and never lets a failure escape into the JVM: without the
 * agent, the application still runs.
 */
public final class LockwatchAgent {
    private LockwatchAgent() {}

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    /** Loaded into a running JVM (the Attach API: {@code java -jar lockwatch-agent.jar attach PID}, or jcmd). */
    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    private static void start(String args, Instrumentation inst, boolean attached) {
        try {
            // Read once, for both that question and the installer's options.
            boolean environmentNamesLockwatch = environmentNamesLockwatch();
            String turnedOff = turnedOffBy(args, attached, environmentNamesLockwatch);
            if (turnedOff != null) {
                System.err.println("[lockwatch] off (" + turnedOff + "): the application runs without lockwatch");
                return;
            }
            File jar = new File(LockwatchAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // Not verified: lockwatch reads its own entries, and the JVM reads the classes itself. A verifying JarFile
            // loads the JDK's JarVerifier (a class with locks, which premain would then retransform) to read the manifest.
            JarFile jarFile = new JarFile(jar, false);
            inst.appendToBootstrapClassLoaderSearch(jarFile);
            // The open jar is handed over: the installer reads its manifest, the warm-up class and the list of
            // the JDK's lock-taking classes from it.
            if (AgentInstaller.class.getClassLoader() == null) {
                // Resolved only now that the jar is on the boot class path: the application class loader asks
                // its parents first, so the installer came from the bootstrap loader. A direct call, because a
                // reflective one cost JDK 25 about 10 ms of method handles spun for it.
                if (attached) AgentInstaller.attach(args, inst, jarFile, environmentNamesLockwatch);
                else AgentInstaller.install(args, inst, jarFile, environmentNamesLockwatch);
            } else {
                // A system class loader that looks at its own class path first (-Djava.system.class.loader)
                // found its own copy: the bootstrap loader's is the one the JDK's classes will call.
                Class.forName("io.lockwatch.agent.AgentInstaller", true, null)
                        .getMethod(attached ? "attach" : "install", String.class, Instrumentation.class, JarFile.class,
                                boolean.class)
                        .invoke(null, args, inst, jarFile, environmentNamesLockwatch);
            }
        } catch (SecurityException denied) {
            // A security manager from the command line (JDK 17 to 23), whose policy does not grant this jar.
            System.err.println("[lockwatch] ERROR the agent could not start: the security manager denies it (" + denied
                    + "). Fix: grant the agent jar every permission in the policy file (-Djava.security.policy=...):"
                    + " grant codeBase \"" + jarUrl() + "\" { permission java.security.AllPermission; };"
                    + " the application runs without lockwatch.");
        } catch (Throwable t) {
            System.err.println("[lockwatch] ERROR the agent could not start (" + t
                    + "); the application runs without lockwatch.");
        }
    }

    /**
     * Where {@code enabled=false} comes from, if lockwatch is turned off, else null. Read here, before the jar goes on
     * the boot class path, so that an agent turned off (in one service of many that a platform's
     * {@code JAVA_TOOL_OPTIONS} gives it to, say) leaves the JVM as it was; the same sources and order as every
     * option ({@code Options}, which checks the value once lockwatch runs): the agent argument's last
     * {@code enabled=}, else {@code -Dlockwatch.enabled}, else {@code LOCKWATCH_ENABLED}.
     */
    static String turnedOffBy(String args, boolean attached, boolean environmentNamesLockwatch) {
        String fromArgs = null;
        if (args != null) {
            for (String item : args.split(",")) {
                int eq = item.indexOf('=');
                if (eq > 0 && item.substring(0, eq).trim().equals("enabled")) fromArgs = item.substring(eq + 1).trim();
            }
        }
        if (fromArgs != null) {
            return isFalse(fromArgs) ? "enabled=false in " + (attached ? "the attach's options" : "-javaagent") : null;
        }
        String property = null;
        String environment = null;
        try {
            property = System.getProperty("lockwatch.enabled");
            if (environmentNamesLockwatch) environment = System.getenv("LOCKWATCH_ENABLED");
        } catch (SecurityException denied) {
            // A security manager whose policy does not grant this jar: the start below fails on it, and says the fix.
        }
        if (property != null) return isFalse(property) ? "-Dlockwatch.enabled=" + property.trim() : null;
        return environment != null && isFalse(environment) ? "LOCKWATCH_ENABLED=" + environment.trim() : null;
    }

    private static boolean isFalse(String value) {
        return value.trim().equalsIgnoreCase("false");
    }

    /**
     * Whether the environment this process started with has a {@code LOCKWATCH_} variable; true when it cannot tell
     * (no {@code /proc}, or a security manager that denies it). Asked before {@code System.getenv}, whose first call
     * initializes the JDK's copy of the environment and, on JDK 25, {@code ProcessImpl}, a class with locks
     * that lockwatch would then retransform in premain (with JDK 25's verification of it, about 10 ms of a start-up):
     * most JVMs set no lockwatch variable. (Native code that set one with {@code setenv} before the JVM started would
     * not be seen: the file is the environment the process was started with.) The answer is passed on to
     * {@link AgentInstaller}, which reads the options.
     */
    static boolean environmentNamesLockwatch() {
        String prefix = "LOCKWATCH_";
        byte[] environ;
        try (FileInputStream in = new FileInputStream("/proc/self/environ")) {
            environ = in.readAllBytes();
        } catch (IOException | RuntimeException cannotTell) {
            return true;
        }
        for (int start = 0; start < environ.length; start++) {
            if (start > 0 && environ[start - 1] != 0) continue; // not the start of a variable
            int i = 0;
            while (i < prefix.length() && start + i < environ.length && environ[start + i] == prefix.charAt(i)) i++;
            if (i == prefix.length()) return true;
        }
        return false;
    }

    /** The agent jar's URL as a policy file's codeBase names it, read where no permission is needed. */
    private static String jarUrl() {
        try {
            String classUrl = String.valueOf(LockwatchAgent.class.getResource("LockwatchAgent.class"));
            int inJar = classUrl.indexOf("!/");
            if (classUrl.startsWith("jar:") && inJar > 0) return classUrl.substring("jar:".length(), inJar);
        } catch (RuntimeException e) {
            // the placeholder below
        }
        return "file:/path/to/lockwatch-agent.jar";
    }
}
