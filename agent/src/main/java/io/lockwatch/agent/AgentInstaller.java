package io.lockwatch.agent;

import io.lockwatch.agent.instrument.Instrumenter;
import io.lockwatch.agent.instrument.JdkLockClasses;
import io.lockwatch.agent.metrics.MetricsAgent;
import io.lockwatch.runtime.Lockwatch;
import io.lockwatch.runtime.config.Options;
import io.lockwatch.runtime.report.AttachReply;
import io.lockwatch.runtime.report.Report;
import io.lockwatch.runtime.stats.AgentStats;
import io.lockwatch.runtime.track.LockTracker;
import io.lockwatch.runtime.util.InternalErrors;
import io.lockwatch.runtime.util.Log;
import java.io.File;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Everything {@code premain} does, running from the bootstrap class path: read the options, start the
 * runtime, then install the instrumentation. Any failure is logged once; the application runs on.
 *
 * <p>Everything here runs before the application's {@code main}, so it is kept lean: no lambdas, streams
 * or formatting on this path (each pulls in classes the JVM would not otherwise load), and work that can
 * wait (the first report write) happens on lockwatch's own thread.
 */
public final class AgentInstaller {
    /** The class the transformer is exercised on before it is registered; see {@code LockSiteFilter}. */
    private static final String WARM_UP_CLASS = "io/lockwatch/agent/instrument/LockSiteFilter$WarmUp.class";

    /**
     * Set by the first installation in this JVM. An agent given twice (on the command line and in
     * JAVA_TOOL_OPTIONS, say) ran twice: two transformers instrumented every class twice, and two detectors wrote
     * the same report file, the one that had not seen a finding last, so the report lost it.
     */
    private static final AtomicBoolean ATTEMPTED = new AtomicBoolean();

    private AgentInstaller() {}

    /**
     * {@code agentmain}'s: the same install into a JVM that is running, unless lockwatch runs already or could not
     * write its report (then the jar's command learns it from {@link AttachReply}).
     */
    public static void attach(String agentArgs, Instrumentation inst, JarFile jar, boolean environmentNamesLockwatch) {
        if (ATTEMPTED.get()) {
            close(jar);
            Report running = Lockwatch.report();
            Log.warn(running != null
                    ? "lockwatch already watches this JVM (report: " + running.path() + "); this attach's options ("
                            + (agentArgs == null || agentArgs.isEmpty() ? "none" : agentArgs) + ") are ignored"
                    : "lockwatch could not start in this JVM earlier (its ERROR line says why) and is not started again");
            return;
        }
        String unwritable = unwritableReport(agentArgs, environmentNamesLockwatch);
        if (unwritable != null) {
            // Refused rather than started without a report: lockwatch keeps the options it started with, so a
            // second attach could not fix the path, and a service's working folder (often /) is rarely writable.
            close(jar);
            Log.error("cannot write a report at " + unwritable + " (no such folder, or not writable for this JVM's user);"
                    + " lockwatch is not started by this attach. Fix: attach again with report=PATH in a folder this JVM"
                    + " can write, e.g. report=/tmp/lockwatch-%p.json");
            openJavaBase(inst);
            AttachReply.refused(unwritable);
            return;
        }
        install(agentArgs, inst, jar, environmentNamesLockwatch);
        // The first write now rather than in the detector's first pass: it settles the path and tells the jar's
        // command (AttachReply), which reads the answer as soon as this returns; the report it names then exists.
        Report started = Lockwatch.report();
        if (started != null) started.write();
    }

    /** The absolute report path an attach's options give, if this JVM cannot write in its folder; else null. */
    private static String unwritableReport(String agentArgs, boolean environmentNamesLockwatch) {
        Map<String, String> environment = lockwatchEnvironment(environmentNamesLockwatch);
        String path = Options.parse(agentArgs, systemProperties(), environment, pid()).reportPath();
        try {
            Path report = Paths.get(path).toAbsolutePath();
            return Report.cannotWrite(report) == null ? null : report.toString();
        } catch (RuntimeException notAPath) {
            return path;
        }
    }

    /**
     * @param environmentNamesLockwatch whether the environment has a {@code LOCKWATCH_} variable, as
     *                                  {@link LockwatchAgent#environmentNamesLockwatch} read it: else the JDK's copy
     *                                  of the environment is never made
     */
    public static void install(String agentArgs, Instrumentation inst, JarFile jar, boolean environmentNamesLockwatch) {
        if (!ATTEMPTED.compareAndSet(false, true)) {
            close(jar);
            Report running = Lockwatch.report();
            Log.warn("lockwatch is attached to this JVM twice (-javaagent given twice: on the command line and in"
                    + " JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS, say); the first one runs" + (running == null ? ""
                    : " (report: " + running.path() + ")") + ", this one (" + (agentArgs == null ? "no options" : agentArgs)
                    + ") is ignored. Fix: give -javaagent once");
            return;
        }
        long started = System.nanoTime();
        // JDK 24 and later have no security manager (JEP 486), and may one day lack AccessController itself.
        if (JdkLockClasses.runningRelease() >= 24) install(agentArgs, inst, jar, environmentNamesLockwatch, started);
        else installPrivileged(agentArgs, inst, jar, environmentNamesLockwatch, started);
    }

    /**
     * The installation, made privileged on the JDKs that have a security manager. Every thread lockwatch starts is
     * started here or by one of those threads, and a thread keeps the access context of the code that made it:
     * without this, the premain class, loaded from the jar by the application's class loader, was in that context.
     * An application that installs a security manager of its own later (Elasticsearch 7 does, with a policy that
     * knows nothing of lockwatch's jar) then denied the detector its report file and the last hang check its
     * thread snapshots, and the findings were lost. Made privileged here, the context is the bootstrap class
     * path's alone, which holds every permission (as the JDK's own classes do). One started with a security
     * manager on the command line must grant the jar itself; see {@link LockwatchAgent}.
     */
    @SuppressWarnings("removal") // deprecated with the security manager, which JDK 17 to 23 still run
    private static void installPrivileged(String agentArgs, Instrumentation inst, JarFile jar,
                                          boolean environmentNamesLockwatch, long started) {
        // An anonymous class, not a lambda: no lambda on the premain path (see the class comment).
        java.security.AccessController.doPrivileged(new java.security.PrivilegedAction<Void>() {
            @Override
            public Void run() {
                install(agentArgs, inst, jar, environmentNamesLockwatch, started);
                return null;
            }
        });
    }

    private static void install(String agentArgs, Instrumentation inst, JarFile jar, boolean environmentNamesLockwatch,
                                long started) {
        try {
            openJavaBase(inst);
            if (recordsAnAotCache()) {
                close(jar);
                Log.info("this JVM is the training run of an AOT cache (-XX:AOTMode=record, or -XX:AOTCacheOutput);"
                        + " lockwatch stays off in it, so that the cache holds the application's classes as they are,"
                        + " and watches the runs that use the cache (-XX:AOTCache)");
                return;
            }
            long pid = pid();
            Map<String, String> environment = lockwatchEnvironment(environmentNamesLockwatch);
            Options options = Options.parse(agentArgs, systemProperties(), environment, pid);
            String version = "unknown";
            byte[] warmUpClass = null;
            JdkLockClasses jdkLockClasses = null;
            try {
                version = version(jar);
                warmUpClass = read(jar, WARM_UP_CLASS);
                jdkLockClasses = jdkLockClasses(jar);
                loadRuntimeClasses(jar);
            } finally {
                close(jar);
            }

            for (String problem : options.problems()) Log.error(problem);
            Lockwatch.start(options, version, pid);

            Instrumenter.install(inst, options, warmUpClass, jdkLockClasses);
            warnIfTheSystemLoaderHasItsOwnRuntime();
            MetricsAgent.start(options);
            AgentStats.startupNanos.set(System.nanoTime() - started);
            Log.info("lockwatch " + version + " watching this JVM; report: " + Lockwatch.report().path());
        } catch (Throwable t) {
            printWaitingLines();
            Log.error("the agent could not start (" + t + "); the application runs without lockwatch.");
        }
    }

    /** Failures recorded while the agent started, which no detector thread may be left to print (premain: safe here). */
    private static void printWaitingLines() {
        try {
            InternalErrors.printWaitingLines();
        } catch (Throwable ignored) {
            // The line below says that the agent did not start.
        }
    }

    /**
     * The JVM puts the agent jar on the system class path too. A system class loader that looks there before
     * it asks its parent ({@code -Djava.system.class.loader}) finds its own copy of lockwatch's runtime, and the
     * classes it loads call that copy, which is never started: their locks go untracked. Said once, with the fix.
     */
    private static void warnIfTheSystemLoaderHasItsOwnRuntime() {
        try {
            ClassLoader system = ClassLoader.getSystemClassLoader();
            Class<?> seen = Class.forName(LockTracker.class.getName(), false, system);
            if (seen.getClassLoader() == null) return;
            Log.warn("the system class loader (" + system.getClass().getName() + ") loads lockwatch's classes from the"
                    + " agent jar itself instead of asking its parent first, so the locks of the classes it loads are not"
                    + " tracked (the JDK's are); to track them, have it leave classes starting with io.lockwatch. to its parent");
        } catch (Throwable e) {
            // nothing to warn about when the loader cannot even see the runtime
        }
    }

    /**
     * Is this JVM recording an AOT cache (JDK 24 and later)? Such a training run keeps the classes it loads for the
     * cache, but not those an agent changed, and it cannot leave out the classes the JVM itself is built on: with
     * {@code Thread} retransformed (lockwatch's thread hooks), JDK 25.0.3 crashed at the end of every training run
     * (SIGSEGV in {@code ArchiveBuilder::get_buffered_addr}), and the classes lockwatch instrumented would have been
     * missing from the cache. Asked of the JDK's own CDS state, which {@link #openJavaBase} exported to lockwatch; a
     * JDK that cannot answer it is taken to record nothing. A JVM that dumps a dynamic archive at its exit
     * ({@code -XX:ArchiveClassesAtExit}, which takes an agent only with the diagnostic
     * {@code -XX:+AllowArchivingWithJavaAgent}) runs the application as any other and is watched: only a training
     * run dumps a static archive with an agent in it.
     */
    private static boolean recordsAnAotCache() {
        if (JdkLockClasses.runningRelease() < 24) return false;
        try {
            if (!jdk.internal.misc.CDS.isDumpingArchive()) return false;
            // Not in JDK 17's API, which this module is compiled against: asked reflectively, in dumping JVMs only.
            return (Boolean) jdk.internal.misc.CDS.class.getMethod("isDumpingStaticArchive").invoke(null);
        } catch (Throwable e) {
            return false;
        }
    }

    /**
     * This process's id. On Linux from {@code /proc/self}, a link named after it: {@link ProcessHandle}
     * would start the JDK's process-reaper machinery (an executor, its queue, lambdas) to say the same.
     */
    static long pid() {
        try {
            File self = new File("/proc/self").getCanonicalFile();
            if (self.getParent() != null && self.getParent().equals("/proc")) return Long.parseLong(self.getName());
        } catch (Exception e) {
            // not Linux, or no /proc: ask the JDK
        }
        return ProcessHandle.current().pid();
    }

    /**
     * Opens to lockwatch, in one change of {@code java.base}, what it reads there: which read/write lock a ReadLock
     * or WriteLock belongs to, and which thread pool a thread works for (its task, a pool's Worker, and the Worker's
     * pool: see the hang detector's PoolStarvation); the JDK's CDS state ({@link #recordsAnAotCache}); and the
     * JVM's agent properties, where lockwatch tells the jar's command that it runs ({@link AttachReply}).
     */
    private static void openJavaBase(Instrumentation inst) {
        Module base = ReentrantReadWriteLock.class.getModule();
        Set<Module> lockwatch = Set.of(LockTracker.class.getModule());
        inst.redefineModule(base, Set.of(), Map.of("jdk.internal.misc", lockwatch, "jdk.internal.vm", lockwatch),
                Map.of("java.util.concurrent.locks", lockwatch, "java.util.concurrent", lockwatch, "java.lang", lockwatch),
                Set.of(), Map.of());
    }

    /**
     * The environment, when it may set an option ({@code LOCKWATCH_*}); see
     * {@link LockwatchAgent#environmentNamesLockwatch}.
     */
    private static Map<String, String> lockwatchEnvironment(boolean environmentNamesLockwatch) {
        return environmentNamesLockwatch ? System.getenv() : Map.of();
    }

    /**
     * The system properties whose names and values are strings. By their keys rather than {@code stringPropertyNames},
     * whose synchronized views (two JDK classes with locks) premain would otherwise load and then retransform; the
     * JVM's system properties have no defaults, which that method would add.
     */
    private static Map<String, String> systemProperties() {
        Map<String, String> out = new HashMap<>();
        Properties properties = System.getProperties();
        for (Enumeration<Object> keys = properties.keys(); keys.hasMoreElements(); ) {
            Object name = keys.nextElement();
            Object value = name instanceof String ? properties.get(name) : null;
            if (value instanceof String) out.put((String) name, (String) value);
        }
        return out;
    }

    private static String version(JarFile jar) {
        try {
            Manifest manifest = jar.getManifest();
            String v = manifest == null ? null : manifest.getMainAttributes().getValue("Implementation-Version");
            return v != null ? v : "unknown";
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static final String RUNTIME_CLASSES = "io/lockwatch/runtime/";
    /** The JFR events' package: its classes named for events ({@code ...Event}, {@code ...Event$...}), not {@code Recordings}. */
    private static final String EVENT_CLASSES = "io/lockwatch/runtime/events/";
    /** The holder of our JFR event instances (Contention): loaded with the events, once a recording exists. */
    private static final String EVENT_HOLDER = "$Probes.class";
    /** The runtime's build writes the list of these classes here (runtime/pom.xml), so premain need not walk the jar. */
    private static final String RUNTIME_CLASS_LIST = "io/lockwatch/runtime/runtime-classes.txt";

    /**
     * Loads (without initializing) every class of lockwatch's runtime but the JFR events, before anything is
     * instrumented. A class of ours loaded later, from inside the tracker on an application's thread, is handed to
     * every transformer first, and another agent's (the OpenTelemetry agent's, started before lockwatch) takes
     * locks there that lockwatch tracks: the tracker came back in on that thread, met the class it was loading,
     * and failed with a ClassCircularityError at every lock (500 and more in a run, and its findings lost). The
     * events stay unloaded until a recording exists; {@code Recordings}, which tells, is loaded with the rest (the
     * tracker asks it at every {@code lock()}: JDK 21's PrintStream locks in premain itself). A hello world loads
     * most of the others anyway, so this adds about 30 small classes. By the list the build wrote; a jar without one
     * is walked.
     */
    private static void loadRuntimeClasses(JarFile jar) {
        byte[] list = read(jar, RUNTIME_CLASS_LIST);
        if (list == null) {
            loadRuntimeClassesByWalking(jar);
            return;
        }
        int start = 0;
        for (int i = 0; i <= list.length; i++) {
            if (i < list.length && list[i] != '\n' && list[i] != '\r') continue;
            if (i > start) loadRuntimeClass(new String(list, start, i - start, StandardCharsets.ISO_8859_1));
            start = i + 1;
        }
    }

    private static void loadRuntimeClassesByWalking(JarFile jar) {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
            String entry = entries.nextElement().getName();
            boolean event = entry.startsWith(EVENT_CLASSES) && entry.indexOf("Event", EVENT_CLASSES.length()) >= 0;
            if (entry.startsWith(RUNTIME_CLASSES) && entry.endsWith(".class") && !event && !entry.endsWith(EVENT_HOLDER)) {
                loadRuntimeClass(entry);
            }
        }
    }

    /** @param entry a class's jar entry, {@code io/lockwatch/runtime/.../Name.class} */
    private static void loadRuntimeClass(String entry) {
        if (!entry.endsWith(".class")) return;
        try {
            Class.forName(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'), false, null);
        } catch (Throwable e) {
            // Left to load when first used, as every class was before.
        }
    }

    /** @return the entry's bytes, or null when it cannot be read (the warm-up then reads it another way) */
    private static byte[] read(JarFile jar, String entry) {
        try {
            JarEntry e = jar.getJarEntry(entry);
            if (e == null) return null;
            try (InputStream in = jar.getInputStream(e)) {
                return in.readAllBytes();
            }
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * The agent jar's list of the JDK classes that take a lock for the running release, or all its lists
     * together for a release without one; null when none can be read (every early class is then read).
     */
    private static JdkLockClasses jdkLockClasses(JarFile jar) {
        String[] entries = JdkLockClasses.entriesFor(JdkLockClasses.runningRelease());
        byte[][] lists = new byte[entries.length][];
        for (int i = 0; i < entries.length; i++) {
            lists[i] = read(jar, entries[i]);
            if (lists[i] == null) return null;
        }
        return JdkLockClasses.parse(lists);
    }

    private static void close(JarFile jar) {
        try {
            jar.close();
        } catch (Exception e) {
            // nothing held on to: the JVM opened the jar on its own for the boot class path
        }
    }
}
