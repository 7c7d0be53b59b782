package io.lockwatch.agent.instrument;

import io.lockwatch.runtime.config.Options;
import io.lockwatch.runtime.stats.AgentStats;
import io.lockwatch.runtime.util.Log;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
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

    public static void install(Instrumentation inst, Options options) throws Exception {
        LockSiteFilter filter = new LockSiteFilter(options.excludes());
        filter.warmUp();
        inst.addTransformer(filter, true);
        long started = System.nanoTime();
        retransformLoadedClasses(inst, options);
        AgentStats.retransformNanos.set(System.nanoTime() - started);
    }

    /**
     * Classes loaded before the agent are transformed again now. In batches, so that one class the JVM
     * refuses does not stop the rest; a refused batch is retried one class at a time to name the class.
     */
    private static void retransformLoadedClasses(Instrumentation inst, Options options) {
        List<Class<?>> candidates = new ArrayList<>();
        for (Class<?> type : inst.getAllLoadedClasses()) {
            if (type.isArray() || type.isPrimitive() || type.isHidden() || !inst.isModifiableClass(type)) continue;
            if (IgnoreRules.ignores(type.getName(), options.excludes())) continue;
            candidates.add(type);
        }
        final int batch = 4096; // one call for all: each call costs the JVM a safepoint and bookkeeping
        for (int from = 0; from < candidates.size(); from += batch) {
            List<Class<?>> part = candidates.subList(from, Math.min(candidates.size(), from + batch));
            try {
                inst.retransformClasses(part.toArray(new Class<?>[0]));
            } catch (Throwable batchFailure) {
                for (Class<?> type : part) {
                    try {
                        inst.retransformClasses(type);
                    } catch (Throwable e) {
                        AgentStats.instrumentationErrors.incrementAndGet();
                        Log.warn("could not retransform " + type.getName() + " (" + e + "); its locks are untracked");
                    }
                }
            }
        }
    }
}
