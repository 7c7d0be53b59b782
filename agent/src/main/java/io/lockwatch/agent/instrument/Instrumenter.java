package io.lockwatch.agent.instrument;

import io.lockwatch.runtime.config.Options;
import io.lockwatch.runtime.stats.AgentStats;
import io.lockwatch.runtime.track.LockTracker;
import io.lockwatch.runtime.util.InternalErrors;
import io.lockwatch.runtime.util.Log;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.Arrays;
import java.util.List;

/**
 * Installs lockwatch's class file transformer and applies it to the classes that were loaded before the
 * agent started (most of java.base and the launcher).
 *
 * <p>Why not Byte Buddy's {@code AgentBuilder} and {@code Advice}: lockwatch only inserts static calls
 * around lock sites, which needs no type descriptions, and on a cold JVM Byte Buddy's per-class machinery
 * cost about 10 ms per transformed class, over a second of start-up for the JDK classes alone. The
 * transformer uses the ASM copy that Byte Buddy bundles, with a scan that leaves lock-free classes alone.
 */
public final class Instrumenter {
    private Instrumenter() {}

    /**
     * @param warmUpClass    the class file of {@code LockSiteFilter.WarmUp}, read by the caller from the agent
     *                       jar it has open anyway, or null to read it here
     * @param jdkLockClasses the JDK classes that take a lock ({@link JdkLockClasses}), or null to read the
     *                       class file of every class loaded before the agent
     */
    public static void install(Instrumentation inst, Options options, byte[] warmUpClass, JdkLockClasses jdkLockClasses)
            throws Exception {
        LockSiteFilter filter = new LockSiteFilter(options.excludes());
        filter.warmUp(warmUpClass);
        inst.addTransformer(filter, true);
        long started = System.nanoTime();
        retransformLoadedClasses(inst, options, jdkLockClasses);
        AgentStats.retransformNanos.set(System.nanoTime() - started);
    }

    /**
     * Classes loaded before the agent are transformed again now, but only those that take a lock. The JVM
     * redefines every class it is asked to retransform, even when the transformer leaves it as it is, and
     * that costs far more than deciding which classes need it (under a hundred of the 700 to 800 loaded
     * before {@code premain}):
     * <ul>
     *   <li>the JDK's own (java.base, java.instrument) by name, from the agent's list of the JDK classes that
     *       take a lock ({@link JdkLockClasses}); those it does not name are checked after {@code premain} by
     *       {@link UnlistedClassCheck}, in case this JDK build differs from the one the list was made from;</li>
     *   <li>any other (another agent's, say) by its class file, read from the module image or the class path
     *       as a resource and skimmed ({@link ClassFileSkim}: exact for all but a few dozen of the JDK's 26,000
     *       classes, and never wrong in the direction that matters). A class whose file cannot be read is
     *       retransformed anyway.</li>
     * </ul>
     *
     * <p>The work is shared with one helper thread (every other class each): the transformer runs on the
     * thread that asks for the retransformation, so two batches are transformed side by side on two cores.
     * {@code premain} waits for both, so every class is instrumented before the application's {@code main}.
     * With {@code retransform=minimal}, only the few classes of {@link #MINIMAL}, found by name: nothing is read.
     */
    private static void retransformLoadedClasses(Instrumentation inst, Options options, JdkLockClasses jdkLockClasses) {
        Class<?>[] loaded = inst.getAllLoadedClasses();
        if (!options.retransformAll()) {
            retransformMinimal(inst, options, loaded);
            return;
        }
        Share mainShare = new Share(inst, options, loaded, 0, jdkLockClasses);
        Share helperShare = new Share(inst, options, loaded, 1, jdkLockClasses);
        Thread helper = new Thread(helperShare, "lockwatch-retransform");
        helper.setDaemon(true);
        try {
            helper.start();
        } catch (Throwable e) {
            helper = null;
        }
        mainShare.retransform();
        if (helper == null) {
            helperShare.retransform();
        } else {
            awaitHelper(helper);
        }
        // On the build a list was read off, the classes it does not name take no lock: nothing to check.
        if (jdkLockClasses != null && !jdkLockClasses.readOff(JdkLockClasses.runningBuild())) {
            UnlistedClassCheck.start(inst, options, loaded, jdkLockClasses);
        }
    }

    private static void awaitHelper(Thread helper) {
        // Bounded, so that whatever happens to the helper, the application starts.
        long deadline = System.nanoTime() + HELPER_WAIT_NANOS;
        boolean interrupted = false;
        while (helper.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                Log.warn("the retransformation of early JDK classes is taking long; the application starts meanwhile");
                break;
            }
            try {
                helper.join(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true; // premain's thread is the application's: keep its interrupt for it
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private static final long HELPER_WAIT_NANOS = 60_000_000_000L;

    /**
     * The early classes that {@code retransform=minimal} still retransforms: {@code Thread}, whose start, join
     * and exit hooks the happens-before graph and the self-join, double-start and dead-owner checks rely on
     * ({@code VirtualThread}'s start, on JDK 21 and later, for virtual threads), and {@code ConcurrentHashMap},
     * whose bins are a lock of their own in the graph. On JDK 17, retransforming
     * all the early classes that take a lock (about 80) costs H2's first pass 1.14x against 1.05x with these
     * two only: tracking their locks during start-up keeps more in the heap, which moves G1's young-generation
     * growth and its first-touch page faults into the pass (a pre-touched heap does not pay it), and a hello
     * world ~165 ms of start-up (bench/PERFORMANCE-ROUNDS.md, "Fourteenth round" to "Seventeenth round").
     */
    private static final List<String> MINIMAL = List.of("java.lang.Thread", "java.lang.VirtualThread", "java.util.concurrent.ConcurrentHashMap");

    /** {@code retransform=minimal}: the classes of {@link #MINIMAL} that are loaded, found by name, in one call. */
    private static void retransformMinimal(Instrumentation inst, Options options, Class<?>[] loaded) {
        try {
            Class<?>[] chosen = new Class<?>[MINIMAL.size()]; // the boot loader has one class of each name
            int count = 0;
            for (Class<?> type : loaded) {
                if (type.getClassLoader() == null && MINIMAL.contains(type.getName()) && retransformable(inst, options, type)) {
                    chosen[count++] = type;
                }
            }
            retransformInOneCall(inst, Arrays.copyOf(chosen, count));
        } catch (Throwable e) {
            InternalErrors.record("retransformation", e);
        }
    }

    /** Can this loaded class be retransformed, and may it be (the ignore rules and the user's exclusions)? */
    static boolean retransformable(Instrumentation inst, Options options, Class<?> type) {
        return !type.isArray() && !type.isPrimitive() && !type.isHidden() && inst.isModifiableClass(type)
                && !IgnoreRules.ignores(type.getName(), options.excludes());
    }

    /**
     * Every other loaded class, from {@code first} on: chosen by the list or the skim, then retransformed in
     * one call. The JDK classes the list covers but does not name are left to {@link UnlistedClassCheck}.
     */
    private static final class Share implements Runnable {
        private final Instrumentation inst;
        private final Options options;
        private final Class<?>[] loaded;
        private final int first;
        private final JdkLockClasses jdkLockClasses;

        Share(Instrumentation inst, Options options, Class<?>[] loaded, int first, JdkLockClasses jdkLockClasses) {
            this.inst = inst;
            this.options = options;
            this.loaded = loaded;
            this.first = first;
            this.jdkLockClasses = jdkLockClasses;
        }

        @Override
        public void run() {
            LockTracker.ignoreCurrentThread(); // lockwatch's own thread
            retransform();
        }

        void retransform() {
            try {
                retransformInOneCall(inst, choose());
            } catch (Throwable e) {
                InternalErrors.record("retransformation", e);
            }
        }

        private Class<?>[] choose() {
            Class<?>[] chosen = new Class<?>[loaded.length / 2 + 1];
            int count = 0;
            LockTracker.enterAgentCode(); // the JDK code that reads class files must not feed the graph
            try {
                for (int i = first; i < loaded.length; i += 2) {
                    Class<?> type = loaded[i];
                    try {
                        if (worthRetransforming(type)) chosen[count++] = type;
                    } catch (Throwable e) {
                        // One class that cannot be looked at must not cost the others theirs: the transformer decides.
                        InternalErrors.record("retransformation", e);
                        chosen[count++] = type;
                    }
                }
            } finally {
                LockTracker.exitAgentCode();
            }
            return Arrays.copyOf(chosen, count);
        }

        private boolean worthRetransforming(Class<?> type) {
            if (!retransformable(inst, options, type)) return false;
            if (jdkLockClasses != null && JdkLockClasses.covers(type)) return jdkLockClasses.names(type.getName());
            byte[] classFile = classFile(type);
            return classFile == null || ClassFileSkim.mayHaveSites(classFile);
        }
    }

    /** One call for the batch (each call costs the JVM a safepoint); if refused, one class at a time to name it. */
    static void retransformInOneCall(Instrumentation inst, Class<?>[] batch) {
        if (batch.length == 0) return;
        AgentStats.classesRetransformRequested.addAndGet(batch.length);
        try {
            inst.retransformClasses(batch);
        } catch (Throwable batchFailure) {
            for (Class<?> type : batch) {
                try {
                    inst.retransformClasses(type);
                } catch (Throwable e) {
                    UninstrumentedClasses.count("could not retransform", type.getName(), e, "its locks are untracked");
                }
            }
        }
    }

    /**
     * The class file a class was loaded from, as its module or class loader serves it as a resource, or
     * null when there is none. Class files are never encapsulated, so this works for every JDK module.
     */
    static byte[] classFile(Class<?> type) {
        String name = type.getName();
        String resource = name.substring(name.lastIndexOf('.') + 1) + ".class";
        try (InputStream in = type.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (Throwable e) {
            return null;
        }
    }
}
