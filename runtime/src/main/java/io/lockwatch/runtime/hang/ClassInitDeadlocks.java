package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.stats.AgentStats;
import io.lockwatch.runtime.util.Log;
import io.lockwatch.runtime.util.RuntimeModules;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * Deadlocks in static initializers: threads each waiting for the initialization of a class that the next one is
 * initializing, as when {@code A}'s static initializer uses {@code B} on one thread while {@code B}'s uses
 * {@code A} on another. No lock that the JVM's snapshots know is involved: the threads show as
 * {@code RUNNABLE}, {@code findDeadlockedThreads} finds nothing, and only a thread dump's
 * "waiting on the Class initialization monitor for ..." tells. Every later user of either class hangs too.
 *
 * <p>Found in three steps, each only when the one before saw something, so a healthy service pays the first
 * alone:
 * <ol>
 *   <li>Every check reads the CPU time of the {@code RUNNABLE} threads (one call for all of them). A thread
 *       waiting for a class's initialization is parked inside the JVM and uses none; a running thread does.</li>
 *   <li>A thread whose CPU time has not moved for the threshold has its stack taken once (while it stays
 *       still): a native method on top is a thread in I/O or a native wait (most still {@code RUNNABLE} threads
 *       are: sockets, selectors), and is not looked at again until it moves. Java code on top, with no CPU spent,
 *       is what a class-initialization wait looks like.</li>
 *   <li>With two or more such threads inside static initializers ({@code <clinit>} frames), the JVM is asked
 *       for its thread dump (the {@code Thread.print} diagnostic command, through the platform MBean server),
 *       which names the class each of them waits for. A thread initializes the classes whose
 *       {@code <clinit>} is on its stack; a cycle of waits through those is the deadlock.</li>
 * </ol>
 * A wait whose class's initializer runs on a thread that is not itself stuck is not a deadlock, and is not
 * reported. Needs the thread CPU time that HotSpot measures by default, and the {@code jdk.management} module
 * for the diagnostic command; without either, such deadlocks are missed.
 */
final class ClassInitDeadlocks {
    private static final String WAITING_ON_INIT = "- waiting on the Class initialization monitor for ";
    /** A thread dump's header line: {@code "name" #id [nid] ...} (the nid bracket since JDK 19). */
    private static final Pattern THREAD_HEADER = Pattern.compile("^\"(.*)\" #(\\d+) ");

    /** One cycle: each thread waits for a class that the next one is initializing. */
    static final class Cycle {
        final List<ThreadInfo> threads;
        /** For each thread of {@link #threads}: the class it waits to see initialized. */
        final List<String> waitsFor;
        /** For each: the classes whose static initializer it is running, innermost first. */
        final List<List<String>> initializing;
        /** For each: how long its CPU time has stood still. */
        final List<Long> stillMillis;
        final String key;

        Cycle(List<ThreadInfo> threads, List<String> waitsFor, List<List<String>> initializing, List<Long> stillMillis,
              String key) {
            this.threads = threads;
            this.waitsFor = waitsFor;
            this.initializing = initializing;
            this.stillMillis = stillMillis;
            this.key = key;
        }
    }

    /** A RUNNABLE thread whose CPU time has stood still since {@link #since}. */
    private static final class Still {
        final long cpuNanos;
        final long since;
        /** Its snapshot with the stack once looked at, when Java code was on top (native: see inNative). */
        ThreadInfo looked;

        Still(long cpuNanos, long since) {
            this.cpuNanos = cpuNanos;
            this.since = since;
        }
    }

    /** Every how many checks the threads found in native code have their CPU time read again. */
    private static final int READ_NATIVE_EVERY = 4;

    private final long thresholdNanos;
    private final int stackDepth;
    private long checks;
    private final Map<Long, Still> still = new HashMap<>();
    /** Threads whose stack was looked at and found in native code: not looked at again while still. */
    private final Set<Long> inNative = new HashSet<>();
    /** The candidate set the last thread dump was taken for: not taken again for the same one. */
    private Set<Long> dumpedFor = Collections.emptySet();
    /** The cycles found whose threads are all still standing still. */
    private final List<Cycle> current = new ArrayList<>();
    private Boolean available;

    ClassInitDeadlocks(long thresholdNanos, int stackDepth) {
        this.thresholdNanos = thresholdNanos;
        this.stackDepth = stackDepth;
    }

    /**
     * @param live this check's snapshot, without stacks
     * @return the cycles whose threads are stuck now (the caller reports each once, by its key)
     */
    List<Cycle> find(ThreadMXBean mx, Map<Long, ThreadInfo> live, long now) throws Exception {
        if (!available(mx)) return Collections.emptyList();
        // Threads found in native code are read again only every few checks: most still RUNNABLE threads are
        // those (sockets, selectors), and reading them all each time costs the check about 1 µs a thread.
        boolean readAll = checks++ % READ_NATIVE_EVERY == 0;
        Set<Long> runnable = new HashSet<>();
        List<Long> toRead = new ArrayList<>();
        for (ThreadInfo info : live.values()) {
            if (info.getThreadState() != Thread.State.RUNNABLE) continue;
            long id = info.getThreadId();
            runnable.add(id);
            if (readAll || !inNative.contains(id)) toRead.add(id);
        }
        still.keySet().retainAll(runnable);
        inNative.retainAll(runnable);
        if (runnable.isEmpty()) {
            current.clear();
            return current;
        }
        long[] ids = toArray(toRead);
        long[] cpu = cpuTimes(mx, ids);
        List<Long> toLookAt = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            Still s = still.get(ids[i]);
            if (cpu[i] < 0) {
                still.remove(ids[i]);
                continue;
            }
            if (s == null || s.cpuNanos != cpu[i]) {
                still.put(ids[i], new Still(cpu[i], now));
                inNative.remove(ids[i]);
            } else if (now - s.since >= thresholdNanos && s.looked == null && !inNative.contains(ids[i])) {
                toLookAt.add(ids[i]);
            }
        }
        lookAt(mx, toLookAt);
        return cycles(now);
    }

    /** Takes the stacks of threads that have stood still long enough, once per stillness. */
    private void lookAt(ThreadMXBean mx, List<Long> ids) {
        if (ids.isEmpty()) return;
        for (ThreadInfo info : mx.getThreadInfo(toArray(ids), stackDepth)) {
            if (info == null) continue;
            StackTraceElement[] stack = info.getStackTrace();
            if (stack.length == 0 || stack[0].isNativeMethod() || info.getThreadState() != Thread.State.RUNNABLE) {
                inNative.add(info.getThreadId());
            } else {
                Still s = still.get(info.getThreadId());
                if (s != null) s.looked = info;
            }
        }
    }

    /** Cycles among the still threads in Java code, once two or more of them run static initializers. */
    private List<Cycle> cycles(long now) throws Exception {
        current.removeIf(cycle -> !standsStill(cycle));
        Map<Long, ThreadInfo> inInit = new HashMap<>();
        for (Map.Entry<Long, Still> e : still.entrySet()) {
            ThreadInfo looked = e.getValue().looked;
            if (looked != null && !initializing(looked).isEmpty()) inInit.put(e.getKey(), looked);
        }
        if (inInit.size() < 2) {
            dumpedFor = Collections.emptySet();
            return current;
        }
        if (inInit.keySet().equals(dumpedFor)) return current; // asked already, nothing new
        dumpedFor = new HashSet<>(inInit.keySet());
        String dump;
        try {
            dump = threadDump();
        } catch (SecurityException e) {
            available = false; // the application's security manager says no: not asked again
            Log.warn("deadlocks in static initializers are not looked for: the security manager denies the JVM's"
                    + " thread dump (" + e.getMessage() + "). Fix: grant lockwatch's jar java.security.AllPermission");
            return current;
        }
        for (Cycle cycle : newCycles(inInit, classesWaitedFor(dump), now)) {
            boolean known = false;
            for (Cycle c : current) known |= c.key.equals(cycle.key);
            if (!known) current.add(cycle);
        }
        return current;
    }

    /** Every thread of the cycle still in the same stillness (its CPU time unmoved since it was looked at). */
    private boolean standsStill(Cycle cycle) {
        for (ThreadInfo t : cycle.threads) {
            Still s = still.get(t.getThreadId());
            if (s == null || s.looked == null) return false;
        }
        return true;
    }

    /** Follows each thread's wait (from the JVM's dump) to whoever initializes that class. */
    private List<Cycle> newCycles(Map<Long, ThreadInfo> inInit, Map<Long, String> waitsFor, long now) {
        // Who initializes each class: the one thread with its <clinit> on the stack.
        Map<String, Long> initializer = new HashMap<>();
        for (ThreadInfo info : inInit.values()) {
            for (String c : initializing(info)) initializer.put(c, info.getThreadId());
        }
        List<Cycle> found = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (long start : inInit.keySet()) {
            List<Long> path = new ArrayList<>();
            Map<Long, Integer> position = new HashMap<>();
            Long at = start;
            while (at != null && inInit.containsKey(at) && !seen.contains(at) && !position.containsKey(at)) {
                position.put(at, path.size());
                path.add(at);
                String wanted = waitsFor.get(at);
                at = wanted == null ? null : initializer.get(wanted);
            }
            seen.addAll(path);
            Integer cycleStart = at == null ? null : position.get(at);
            if (cycleStart != null) found.add(cycle(path.subList(cycleStart, path.size()), inInit, waitsFor, now));
        }
        return found;
    }

    private Cycle cycle(List<Long> ids, Map<Long, ThreadInfo> inInit, Map<Long, String> waitsFor, long now) {
        List<ThreadInfo> threads = new ArrayList<>();
        List<String> waits = new ArrayList<>();
        List<List<String>> initializing = new ArrayList<>();
        List<Long> stillMillis = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        for (long id : ids) {
            ThreadInfo info = inInit.get(id);
            threads.add(info);
            waits.add(waitsFor.get(id));
            initializing.add(new ArrayList<>(initializing(info)));
            stillMillis.add(TimeUnit.NANOSECONDS.toMillis(now - still.get(id).since));
            parts.add(id + "/init " + waitsFor.get(id));
        }
        Collections.sort(parts);
        return new Cycle(threads, waits, initializing, stillMillis, String.join(" ", parts));
    }

    /** The classes whose static initializer the thread is running, innermost first. */
    private static Set<String> initializing(ThreadInfo info) {
        Set<String> classes = new LinkedHashSet<>();
        for (StackTraceElement f : info.getStackTrace()) {
            if (f.getMethodName().equals("<clinit>")) classes.add(f.getClassName());
        }
        return classes;
    }

    /** From a thread dump: each thread that waits for a class's initialization, and that class. */
    static Map<Long, String> classesWaitedFor(String dump) {
        Map<Long, String> waits = new HashMap<>();
        long thread = -1;
        for (String line : dump.split("\n")) {
            if (line.startsWith("\"")) { // a thread's first line; the JVM's own threads have no #id
                Matcher header = THREAD_HEADER.matcher(line);
                thread = header.find() ? Long.parseLong(header.group(2)) : -1;
                continue;
            }
            int at = line.indexOf(WAITING_ON_INIT);
            if (at >= 0 && thread >= 0) waits.put(thread, line.substring(at + WAITING_ON_INIT.length()).trim());
        }
        return waits;
    }

    /** The JVM's own thread dump, as jstack prints it (a safepoint: taken only for a suspected cycle). */
    private static String threadDump() throws Exception {
        AgentStats.classInitThreadDumps.incrementAndGet();
        Object dump = ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "threadPrint",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        return dump instanceof String ? (String) dump : "";
    }

    private boolean available(ThreadMXBean mx) {
        if (available == null) {
            available = mx.isThreadCpuTimeSupported() && RuntimeModules.missing("jdk.management").isEmpty();
        }
        return available && mx.isThreadCpuTimeEnabled(); // the application may turn it off, and on again
    }

    /** One call for all of them where the JDK has it ({@code com.sun.management}); -1 for a thread gone. */
    private static long[] cpuTimes(ThreadMXBean mx, long[] ids) {
        if (mx instanceof com.sun.management.ThreadMXBean) {
            return ((com.sun.management.ThreadMXBean) mx).getThreadCpuTime(ids);
        }
        long[] cpu = new long[ids.length];
        for (int i = 0; i < ids.length; i++) cpu[i] = mx.getThreadCpuTime(ids[i]);
        return cpu;
    }

    private static long[] toArray(List<Long> ids) {
        long[] array = new long[ids.size()];
        for (int i = 0; i < array.length; i++) array[i] = ids.get(i);
        return array;
    }
}
