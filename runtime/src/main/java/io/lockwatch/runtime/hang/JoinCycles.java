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
import java.util.function.Function;

/**
 * Platform threads that join each other in a cycle ("alpha" joins "beta" while "beta" joins "alpha"), or whose join
 * closes a cycle with lock waits (the shutdown that never ends: "stopper" holds a lock and joins "worker", which waits
 * for that lock): each waits for the next one, forever. The JVM's deadlock search does not see it (a join waits on
 * the joined thread's object, which no thread owns), and neither does a thread dump. Found from the threads'
 * snapshots: a thread in an untimed {@code Thread.join()} waits on the monitor of the thread it joins (so on JDK 17
 * and 25), which is the live thread with that identity; a thread waiting for a lock whose owner the JVM names waits
 * for that owner. A timed join ends by itself, so it is no edge; a virtual thread's join waits otherwise, and is not
 * seen here. Cycles of lock waits alone are the JVM's search's.
 */
final class JoinCycles {
    private JoinCycles() {}

    /** One cycle: each thread waits for the next (joins it, or waits for a lock it holds), the last for the first. */
    static final class Cycle {
        final long[] threadIds;
        /** Whether each thread joins the next one (else it waits for a lock the next one holds). */
        final boolean[] joins;
        final String key;

        Cycle(List<Long> ids, Map<Long, Long> joined) {
            threadIds = new long[ids.size()];
            joins = new boolean[ids.size()];
            for (int i = 0; i < threadIds.length; i++) {
                threadIds[i] = ids.get(i);
                joins[i] = joined.containsKey(ids.get(i));
            }
            List<Long> sorted = new ArrayList<>(ids);
            sorted.sort(null);
            key = "join " + sorted;
        }

        private boolean hasJoin() {
            for (boolean j : joins) {
                if (j) return true;
            }
            return false;
        }

        /**
         * Do the snapshots with stacks (in cycle order) show the same cycle: each joining thread in an untimed
         * {@code Thread.join}, each other one still waiting for a lock of the next?
         */
        boolean confirmedBy(ThreadInfo[] infos) {
            for (int i = 0; i < infos.length; i++) {
                ThreadInfo info = infos[i];
                if (info == null) return false; // it ended meanwhile
                boolean same = joins[i] ? isInUntimedJoin(info) : lockOwner(info) == threadIds[(i + 1) % infos.length];
                if (!same) return false;
            }
            return true;
        }
    }

    /**
     * The cycles with a join in them, among the snapshots' untimed waits on the monitor of a live thread and their
     * waits for locks with a named owner (the snapshots here have no stacks: {@link Cycle#confirmedBy} tells, with
     * stacks, whether the monitor waits are joins).
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
        Function<Long, Long> next = t -> {
            Long joined = joins.get(t);
            long owner = joined == null ? lockOwner(live.get(t)) : joined;
            return owner >= 0 ? owner : null;
        };
        for (List<Long> ids : WaitChains.cycles(joins.keySet(), next)) {
            // One thread: it joins itself, a self_join (reported at the call). No join: a cycle of lock waits that a
            // join led to, which the JVM's search has.
            if (ids.size() < 2) continue;
            Cycle cycle = new Cycle(ids, joins);
            if (cycle.hasJoin()) cycles.add(cycle);
        }
        return cycles;
    }

    /** The thread the JVM names as the owner of the lock this one waits for, or -1 (running, no owner, no thread). */
    private static long lockOwner(ThreadInfo info) {
        return info == null || info.getThreadState() == Thread.State.RUNNABLE ? -1 : info.getLockOwnerId();
    }

    /** Waiting, untimed, in {@code Thread.join}: a frame of it under {@code Object.wait}, in a snapshot with a stack. */
    private static boolean isInUntimedJoin(ThreadInfo info) {
        if (info.getThreadState() != Thread.State.WAITING) return false;
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
