package io.lockwatch.bench.programs;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Puts the locks a program has made where a service's shared locks are: in the old generation.
 *
 * <p>Why the lock programs need it (twenty-first round): taking a {@code ReentrantLock} stores its owner
 * thread into the lock. G1's write barrier on that store ends at once while the lock is young; once the lock
 * is old and the thread lives in another region, it costs a StoreLoad fence on every acquisition. A program
 * that has not collected yet keeps its static locks young, unless something else makes G1 collect sooner (an
 * agent's allocations at start-up, a JFR recording), which promotes them: then 4 threads on one lock take it
 * about 30% less often, with or without the agent. In a service that has run a minute, the locks its threads
 * share are old. One full collection puts the program's there too, on both sides; the threads that take them
 * are made after it, so they live in other (young) regions, as a service's threads and its locks do.
 */
final class LongLived {
    private LongLived() {}

    static void promoteToOldGeneration() {
        long before = collections();
        System.gc(); // G1 (the default): a full collection, which compacts every live object into old regions
        if (collections() == before) {
            // -XX:+DisableExplicitGC in --jvm-options, say: the locks stay young, and the case measures that
            Metrics.warn("System.gc() did not collect, so the locks may still be young (is -XX:+DisableExplicitGC"
                    + " set?); the figures then depend on when G1 first collects");
        }
    }

    private static long collections() {
        long count = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }
}
