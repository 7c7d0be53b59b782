package io.lockwatch.agent;

import io.lockwatch.agent.instrument.Instrumenter;
import io.lockwatch.agent.metrics.MetricsAgent;
import io.lockwatch.runtime.Lockwatch;
import io.lockwatch.runtime.config.Options;
import io.lockwatch.runtime.stats.AgentStats;
import io.lockwatch.runtime.track.LockTracker;
import io.lockwatch.runtime.util.Log;
import java.lang.instrument.Instrumentation;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.jar.JarFile;

/**
 * Everything {@code premain} does, running from the bootstrap class path: read the options, start the
 * runtime, then install the instrumentation. Any failure is logged once; the application runs on.
 */
public final class AgentInstaller {
    private AgentInstaller() {}

    public static void install(String agentArgs, Instrumentation inst, String jarPath) {
        long started = System.nanoTime();
        try {
            long pid = ProcessHandle.current().pid();
            Options options = Options.parse(agentArgs, systemProperties(), System.getenv(), pid);
            String version = version(jarPath);

            for (String problem : options.problems()) Log.error(problem);
            openLockInternals(inst);
            Lockwatch.start(options, version, pid);

            Instrumenter.install(inst, options);
            MetricsAgent.start(options);
            AgentStats.startupNanos.set(System.nanoTime() - started);
            Log.info("lockwatch " + version + " watching this JVM; report: " + Lockwatch.report().path());
        } catch (Throwable t) {
            Log.error("the agent could not start (" + t + "); the application runs without lockwatch.");
        }
    }

    /** Lets the runtime read which read/write lock a ReadLock or WriteLock belongs to. */
    private static void openLockInternals(Instrumentation inst) {
        Module base = ReentrantReadWriteLock.class.getModule();
        inst.redefineModule(base, Set.of(), Map.of(),
                Map.of("java.util.concurrent.locks", Set.of(LockTracker.class.getModule())), Set.of(), Map.of());
    }

    private static Map<String, String> systemProperties() {
        Map<String, String> out = new HashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) out.put(name, System.getProperty(name));
        return out;
    }

    private static String version(String jarPath) {
        try (JarFile jar = new JarFile(jarPath)) {
            String v = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
            return v != null ? v : "unknown";
        } catch (Exception e) {
            return "unknown";
        }
    }
}
