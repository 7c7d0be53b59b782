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
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 *   <li>With such threads, the JVM is asked for its thread dump (the {@code Thread.print} diagnostic command,
 *       through the platform MBean server; at most once per threshold, and not again for the same threads), which
 *       names the class each of them waits for. A thread initializes the classes whose {@code <clinit>} is on its
 *       stack; a cycle of waits through those, and through locks (a lock's owner, from the check's snapshot), is
 *       the deadlock.</li>
 * </ol>
 * A wait whose class's initializer runs on a thread of no cycle is not a deadlock: it is kept in
 * {@link #initWaits()}, and the detector reports it when that initializer is itself stuck in a wait
 * ({@link ClassInitStallFinding}). Needs the thread CPU time that HotSpot measures by default, and the
 * {@code jdk.management} module for the diagnostic command; without either, these are missed.
 */
final class ClassInitDeadlocks {
    private static final String WAITING_ON_INIT = "- waiting on the Class initialization monitor for ";
    /** What follows a thread's quoted name in a dump's header line: {@code "name" #id [nid] ...}. */
    private static final String HEADER_ID = "\" #";
    /** Every how many checks the threads found in native code have their CPU time read again. */
    private static final int READ_NATIVE_EVERY = 4;

    /** One cycle: each thread waits for a class that the next one is initializing. */
    static final class Cycle {
        final List<ThreadInfo> threads;
        /** For each thread of {@link #threads}: the class it waits to see initialized, or null for a lock wait. */
        final List<String> waitsFor;
        /** For each: the classes whose static initializer it is running, innermost first. */
        final List<List<String>> initializing;
        final String key;

        Cycle(List<ThreadInfo> threads, List<String> waitsFor, List<List<String>> initializing, String key) {
            this.threads = threads;
            this.waitsFor = waitsFor;
            this.initializing = initializing;
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

    private final long thresholdNanos;
    private final int stackDepth;
    private long checks;
    private final Map<Long, Still> still = new HashMap<>();
    /** Threads whose stack was looked at and found in native code: not looked at again while still. */
    private final Set<Long> inNative = new HashSet<>();
    /** The candidate set the last thread dump was taken for: not taken again for the same one. */
    private Set<Long> dumpedFor = Collections.emptySet();
    private boolean dumped;
    private long lastDump;
    /** The cycles found whose threads are all still standing still. */
    private final List<Cycle> current = new ArrayList<>();
    private final List<InitWait> initWaits = new ArrayList<>();
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
            initWaits.clear();
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
        return cycles(live, now);
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

    /**
     * Cycles through the still threads in Java code, asked of the JVM's dump whenever there are such threads (a
     * healthy JVM has none: a RUNNABLE thread in Java code uses CPU), and the waits on initializers that are not
     * in a cycle ({@link #initWaits}).
     */
    private List<Cycle> cycles(Map<Long, ThreadInfo> live, long now) throws Exception {
        current.removeIf(cycle -> !standsStill(cycle));
        Set<Long> stillInJava = new HashSet<>();
        for (Map.Entry<Long, Still> e : still.entrySet()) {
            if (e.getValue().looked != null) stillInJava.add(e.getKey());
        }
        for (InitWait w : initWaits) w.waiters.removeIf(t -> !stillInJava.contains(t.getThreadId()));
        initWaits.removeIf(w -> w.waiters.isEmpty());
        if (stillInJava.isEmpty()) {
            dumpedFor = Collections.emptySet();
            return current;
        }
        if (stillInJava.equals(dumpedFor)) return current; // asked already, nothing new
        // At most one dump per threshold, however often the candidates change: each is a safepoint.
        if (dumped && now - lastDump < thresholdNanos) return current;
        dumpedFor = stillInJava;
        dumped = true;
        lastDump = now;
        String dump;
        try {
            dump = threadDump();
        } catch (SecurityException e) {
            available = false; // the application's security manager says no: not asked again
            Log.warn("deadlocks in static initializers are not looked for: the security manager denies the JVM's"
                    + " thread dump (" + e.getMessage() + "). Fix: grant lockwatch's jar java.security.AllPermission");
            return current;
        }
        Map<Long, Dumped> threads = readDump(dump);
        for (Cycle cycle : newCycles(stillInJava, live, threads, now)) {
            boolean known = false;
            for (Cycle c : current) known |= c.key.equals(cycle.key);
            if (!known) current.add(cycle);
        }
        findInitWaits(stillInJava, threads);
        return current;
    }

    /** Threads waiting for a class whose initializer runs on a thread of no cycle: the detector judges that one. */
    static final class InitWait {
        final String className;
        final long initializer;
        /** The still threads that wait for it (their snapshots from when they were looked at). */
        final List<ThreadInfo> waiters = new ArrayList<>();

        InitWait(String className, long initializer) {
            this.className = className;
            this.initializer = initializer;
        }
    }

    /** When this thread's CPU time last moved (now if it is not still). */
    long stillSince(long thread, long now) {
        Still s = still.get(thread);
        return s != null ? s.since : now;
    }

    /** The waits on initializers outside any cycle, as the last dump showed them, less the waiters that moved since. */
    List<InitWait> initWaits() {
        return initWaits;
    }

    private void findInitWaits(Set<Long> stillInJava, Map<Long, Dumped> threads) {
        Set<Long> inCycles = new HashSet<>();
        for (Cycle c : current) {
            for (ThreadInfo t : c.threads) inCycles.add(t.getThreadId());
        }
        Map<String, Long> initializer = initializers(threads);
        Map<String, InitWait> byClass = new HashMap<>();
        for (long id : stillInJava) {
            Dumped d = threads.get(id);
            Long by = d == null || d.waitsForInit == null ? null : initializer.get(d.waitsForInit);
            if (by == null || inCycles.contains(id) || inCycles.contains(by)) continue;
            byClass.computeIfAbsent(d.waitsForInit, c -> new InitWait(c, by)).waiters.add(still.get(id).looked);
        }
        initWaits.clear();
        initWaits.addAll(byClass.values());
    }

    /** Who initializes each class, by the dump: the thread with that class's {@code <clinit>} on its stack. */
    private static Map<String, Long> initializers(Map<Long, Dumped> threads) {
        Map<String, Long> initializer = new HashMap<>();
        for (Map.Entry<Long, Dumped> e : threads.entrySet()) {
            for (String c : e.getValue().initializing) {
                if (!c.equals(e.getValue().waitsForInit)) initializer.put(c, e.getKey());
            }
        }
        return initializer;
    }

    /** Every class-initialization wait of the cycle still the same (its thread's CPU time has not moved). */
    private boolean standsStill(Cycle cycle) {
        for (int i = 0; i < cycle.threads.size(); i++) {
            if (cycle.waitsFor.get(i) == null) continue; // a lock wait: it lasts while the other does
            Still s = still.get(cycle.threads.get(i).getThreadId());
            if (s == null || s.looked == null) return false;
        }
        return true;
    }

    /**
     * Follows each wait to the thread that can end it: a class-initialization wait (from the dump; only of threads
     * that have stood still past the threshold) to the thread whose stack has that class's {@code <clinit>}, a lock
     * wait (from the check's snapshot) to the lock's owner. A cycle with a class-initialization wait in it is a
     * deadlock the JVM's search does not see (one of locks alone it does, and reports).
     */
    private List<Cycle> newCycles(Set<Long> stillInJava, Map<Long, ThreadInfo> live, Map<Long, Dumped> dump, long now) {
        Map<String, Long> initializer = initializers(dump);
        List<Cycle> found = new ArrayList<>();
        for (List<Long> ids : WaitChains.cycles(stillInJava, t -> waitsOn(t, stillInJava, live, dump, initializer))) {
            found.add(cycle(ids, live, dump));
        }
        return found;
    }

    /** The thread that can end this one's wait, or null. */
    private Long waitsOn(long thread, Set<Long> stillInJava, Map<Long, ThreadInfo> live, Map<Long, Dumped> dump,
                         Map<String, Long> initializer) {
        Dumped d = dump.get(thread);
        if (d != null && d.waitsForInit != null) return stillInJava.contains(thread) ? initializer.get(d.waitsForInit) : null;
        ThreadInfo info = live.get(thread);
        return info != null && info.getThreadState() != Thread.State.RUNNABLE && info.getLockOwnerId() >= 0
                ? info.getLockOwnerId() : null;
    }

    private Cycle cycle(List<Long> ids, Map<Long, ThreadInfo> live, Map<Long, Dumped> dump) {
        List<ThreadInfo> threads = new ArrayList<>();
        List<String> waits = new ArrayList<>();
        List<List<String>> initializing = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        for (long id : ids) {
            Dumped d = dump.get(id);
            String waitsFor = d != null ? d.waitsForInit : null;
            threads.add(waitsFor != null ? still.get(id).looked : live.get(id));
            waits.add(waitsFor);
            initializing.add(d != null ? d.initializing : new ArrayList<>());
            parts.add(id + (waitsFor != null ? "/init " + waitsFor : "/" + live.get(id).getLockName()));
        }
        Collections.sort(parts);
        return new Cycle(threads, waits, initializing, String.join(" ", parts));
    }

    /** A thread as the JVM's dump shows it: the class whose initialization it waits for, and those it runs. */
    static final class Dumped {
        String waitsForInit;
        final List<String> initializing = new ArrayList<>();
    }

    /** Reads the JVM's thread dump: by thread id, what {@link Dumped} holds (the JVM's own threads have no id). */
    static Map<Long, Dumped> readDump(String dump) {
        Map<Long, Dumped> threads = new HashMap<>();
        Dumped thread = null;
        for (String line : dump.split("\n")) {
            if (line.startsWith("\"")) { // a thread's first line; the JVM's own threads have no #id
                long id = headerId(line);
                thread = id < 0 ? null : new Dumped();
                if (thread != null) threads.put(id, thread);
                continue;
            }
            if (thread == null) continue;
            String text = line.trim();
            if (text.startsWith(WAITING_ON_INIT)) {
                thread.waitsForInit = text.substring(WAITING_ON_INIT.length()).trim();
            } else if (text.startsWith("at ") && text.contains(".<clinit>(")) {
                String c = text.substring(3, text.indexOf(".<clinit>("));
                if (!thread.initializing.contains(c)) thread.initializing.add(c);
            }
        }
        return threads;
    }

    /**
     * The thread id of a dump's header line, or -1 for none: the digits after the last {@code " #} followed by a
     * number and a space (a thread's name may itself hold quotes and "#").
     */
    private static long headerId(String line) {
        for (int at = line.lastIndexOf(HEADER_ID); at > 0; at = line.lastIndexOf(HEADER_ID, at - 1)) {
            int start = at + HEADER_ID.length();
            int end = start;
            while (end < line.length() && Character.isDigit(line.charAt(end))) end++;
            if (end > start && end < line.length() && line.charAt(end) == ' ') return Long.parseLong(line.substring(start, end));
        }
        return -1;
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
