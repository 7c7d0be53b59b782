package io.lockwatch.it.programs;

import java.lang.management.ManagementFactory;

/** The bytes the calling thread has allocated so far: a count that says whether code allocated, without timing it. */
final class AllocatedBytes {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        ofThisThread(); // the bean's own first-call allocations, out of the way of the first measurement
    }

    private AllocatedBytes() {}

    static long ofThisThread() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
