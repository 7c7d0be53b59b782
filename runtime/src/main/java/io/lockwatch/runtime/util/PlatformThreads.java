package io.lockwatch.runtime.util;

import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The live platform threads, and which of them the JVM's thread snapshots may be asked about.
 *
 * <p>HotSpot 25 before the fix of JDK-8392031 can crash with SIGSEGV in {@code ThreadMXBean.getThreadInfo}
 * when one of the threads asked about is a carrier on which a virtual thread is being mounted or unmounted
 * (seen here on 25.0.3; the fix cites older reports of the same crash, so every JDK with virtual threads is
 * treated alike). Only the {@code Thread} object tells a carrier from other threads, so on those JDKs
 * lockwatch lists the threads itself ({@code ThreadGroup.enumerate}, which takes no lock there) and leaves the
 * carriers out; nothing lockwatch asks the JVM about is a carrier. JDK 17 has no carriers, and
 * there the JVM's own list is used: its thread groups do not list the threads that the JVM starts itself,
 * such as the Attach Listener.
 */
public final class PlatformThreads {
    /** {@code jdk.internal.misc.CarrierThread}, the scheduler's threads that run virtual threads; null on JDK 17. */
    private static final Class<?> CARRIER = carrierClass();

    private PlatformThreads() {}

    /** Every live platform thread, lockwatch's own included (on JDK 17, those started by Java code). */
    public static Thread[] all() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) root = root.getParent();
        int room = root.activeCount() + 64;
        while (true) {
            Thread[] threads = new Thread[room];
            int n = root.enumerate(threads, true);
            if (n < room) return Arrays.copyOf(threads, n);
            room *= 2; // threads started since the count: ask again with more room
        }
    }

    /**
     * The ids of the live platform threads that the JVM's thread snapshots may be asked about: all but the
     * carriers of virtual threads, and but {@code leaveOut}.
     */
    public static long[] safeToSnapshot(ThreadMXBean jvm, Set<Long> leaveOut) {
        if (CARRIER == null) return without(jvm.getAllThreadIds(), leaveOut);
        Thread[] threads = all();
        long[] ids = new long[threads.length];
        int n = 0;
        for (Thread t : threads) {
            if (!leaveOut.contains(t.getId()) && !CARRIER.isInstance(t)) ids[n++] = t.getId();
        }
        return Arrays.copyOf(ids, n);
    }

    /** {@code ids} (of threads the JVM found, say in a deadlock) without the carriers of virtual threads. */
    public static long[] withoutCarriers(long[] ids) {
        if (CARRIER == null) return ids;
        Set<Long> carriers = new HashSet<>();
        for (Thread t : all()) {
            if (CARRIER.isInstance(t)) carriers.add(t.getId());
        }
        return without(ids, carriers);
    }

    /**
     * How many live platform threads are in each state, indexed by {@code Thread.State.ordinal()}. On JDK 21
     * and later from {@code Thread.getState}, which asks the JVM for nothing, so the carriers count too.
     */
    public static long[] countByState(ThreadMXBean jvm) {
        long[] counts = new long[Thread.State.values().length];
        if (CARRIER == null) {
            for (ThreadInfo info : jvm.getThreadInfo(jvm.getAllThreadIds(), 0)) {
                if (info != null) counts[info.getThreadState().ordinal()]++;
            }
        } else {
            for (Thread t : all()) counts[t.getState().ordinal()]++;
        }
        return counts;
    }

    private static long[] without(long[] ids, Set<Long> leaveOut) {
        if (leaveOut.isEmpty()) return ids;
        long[] kept = new long[ids.length];
        int n = 0;
        for (long id : ids) {
            if (!leaveOut.contains(id)) kept[n++] = id;
        }
        return Arrays.copyOf(kept, n);
    }

    private static Class<?> carrierClass() {
        try {
            return Class.forName("jdk.internal.misc.CarrierThread", false, null);
        } catch (Throwable e) {
            return null; // JDK 17: no virtual threads, no carriers
        }
    }
}
