package io.lockwatch.bench.programs;

import java.lang.management.ManagementFactory;

/**
 * Bytes the current thread has allocated so far, exactly (HotSpot counts every TLAB and every allocation
 * outside one), where a JFR allocation profile only samples. Two questions of H2's first pass turn on it:
 * whether the agent makes the application's own threads allocate more, and how much the JVM allocated before
 * the pass starts, which decides when G1's first collections fall (bench/PERFORMANCE-ROUNDS.md, rounds 17, 26
 * and 29).
 */
final class Allocated {
    private Allocated() {}

    /** @return bytes allocated by the calling thread since it started, or -1 where the JVM does not count them */
    static long byCurrentThread() {
        try {
            java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            if (!(threads instanceof com.sun.management.ThreadMXBean)) return -1;
            com.sun.management.ThreadMXBean hotspot = (com.sun.management.ThreadMXBean) threads;
            return hotspot.isThreadAllocatedMemoryEnabled() ? hotspot.getThreadAllocatedBytes(Thread.currentThread().getId()) : -1;
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }
}
