package io.lockwatch.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.util.jar.JarFile;

/**
 * The {@code Premain-Class}: the one class of lockwatch that the application's class loader loads.
 *
 * <p>Start-up is delicate, so this class does only two things. It appends its own jar to the bootstrap
 * class path, because instrumented JDK classes (loaded by the bootstrap loader) must be able to call the
 * runtime; then it hands over to {@link AgentInstaller}, loaded from there. It references no other
 * lockwatch class directly (they must come from the bootstrap loader, not from this one), keeps no state,
 * and never lets a failure escape into the JVM: without the agent, the application still runs.
 */
public final class LockwatchAgent {
    private LockwatchAgent() {}

    public static void premain(String args, Instrumentation inst) {
        start(args, inst);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst);
    }

    private static void start(String args, Instrumentation inst) {
        try {
            File jar = new File(LockwatchAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            JarFile jarFile = new JarFile(jar);
            inst.appendToBootstrapClassLoaderSearch(jarFile);
            Class<?> installer = Class.forName("io.lockwatch.agent.AgentInstaller", true, null);
            // The open jar is handed over: the installer reads its manifest and the warm-up class from it.
            installer.getMethod("install", String.class, Instrumentation.class, JarFile.class)
                    .invoke(null, args, inst, jarFile);
        } catch (Throwable t) {
            System.err.println("[lockwatch] ERROR the agent could not start (" + t
                    + "); the application runs without lockwatch.");
        }
    }
}
