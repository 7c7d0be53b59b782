package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.util.PlatformThreads;
import java.lang.management.LockInfo;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Platform threads that join each other in a cycle ("alpha" joins "beta" while "beta" joins "alpha"): each waits
 * for the next one to end, forever. The JVM's deadlock search does not see it (a join waits on the joined thread's
 * object, which no thread owns), and neither does a thread dump. Found from the threads' snapshots: a thread in an
 * untimed {@code Thread.join()} waits on the monitor of the thread it joins (so on JDK 17 and 25), which is the
 * live thread with that identity. A timed join ends by itself, so it is no edge; a virtual thread's join waits
 * otherwise, and is not seen here.
 */
final class JoinCycles {
    private JoinCycles() {}

    /** One cycle: each thread joins the next, the last joins the first. */
    static final class Cycle {
        final long[] threadIds;
        final String key;

        Cycle(List<Long> ids) {
            threadIds = new long[ids.size()];
            for (int i = 0; i < threadIds.length; i++) threadIds[i] = ids.get(i);
            List<Long> sorted = new ArrayList<>(ids);
            sorted.sort(null);
            key = "join " + sorted;
        }
    }

    /**
     * The cycles among the threads that wait, untimed, on the monitor of a live thread (the snapshots here have no
     * stacks: {@link #allInUntimedJoin} tells, with stacks, whether such waits are joins).
     */
    static List<Cycle> find(Map<Long, ThreadInfo> live) {
        List<ThreadInfo> waiters = new ArrayList<>();
        Set<String> waitedOnClasses = new HashSet<>();
        for (ThreadInfo info : live.values()) {
            LockInfo on = info.getLockInfo();
            if (info.getThreadState() != Thread.State.WAITING || on == null || info.getLockOwnerId() >= 0) continue;
            waiters.add(info);
            waitedOnClasses.add(on.getClassName());
        }
        if (waiters.isEmpty()) return List.of();
        Map<Integer, Long> threads = threadsByIdentity(waitedOnClasses);
        Map<Long, Long> joins = new HashMap<>(); // waiter -> the thread on whose monitor it waits
        for (ThreadInfo info : waiters) {
            Long joined = threads.get(info.getLockInfo().getIdentityHashCode());
            if (joined != null && live.containsKey(joined)) joins.put(info.getThreadId(), joined);
        }
        List<Cycle> cycles = new ArrayList<>();
        for (List<Long> cycle : WaitChains.cycles(joins.keySet(), joins::get)) cycles.add(new Cycle(cycle));
        return cycles;
    }

    /** Is every one of these snapshots (with stacks) of a thread in an untimed {@code Thread.join}? */
    static boolean allInUntimedJoin(ThreadInfo[] infos) {
        for (ThreadInfo info : infos) {
            if (!isInUntimedJoin(info)) return false;
        }
        return true;
    }

    /** Waiting, untimed, in {@code Thread.join}: a frame of it under {@code Object.wait}, in a snapshot with a stack. */
    private static boolean isInUntimedJoin(ThreadInfo info) {
        if (info == null || info.getThreadState() != Thread.State.WAITING) return false;
        StackTraceElement[] stack = info.getStackTrace();
        for (int i = 0; i < stack.length && i < 6; i++) {
            if (stack[i].getClassName().equals("java.lang.Thread") && stack[i].getMethodName().equals("join")) return true;
        }
        return false;
    }

    /**
     * The live platform threads of the classes some thread waits on, by identity hash. Only those: most waits are on
     * other objects (a reference queue's lock, a pool's), and then no thread's identity hash is asked for.
     */
    private static Map<Integer, Long> threadsByIdentity(Set<String> classes) {
        Map<Integer, Long> out = new HashMap<>();
        for (Thread t : PlatformThreads.all()) {
            if (classes.contains(t.getClass().getName())) out.put(System.identityHashCode(t), t.getId());
        }
        return out;
    }
}
