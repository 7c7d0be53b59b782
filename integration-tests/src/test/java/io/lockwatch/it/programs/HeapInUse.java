package io.lockwatch.it.programs;

import java.lang.management.ManagementFactory;

/** What a program prints for a test to read its heap: one line, {@code heap MiB N}. */
final class HeapInUse {
    static final String LINE_START = "heap MiB ";

    private HeapInUse() {}

    /** Prints the heap in use after three full collections, so that what is left is what is still reachable. */
    static void printAfterFullCollections() {
        for (int i = 0; i < 3; i++) System.gc();
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.println(LINE_START + used / (1024 * 1024));
    }
}
