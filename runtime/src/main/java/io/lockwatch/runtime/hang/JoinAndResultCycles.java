package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.hang.ThreadView.Tie;
import io.lockwatch.runtime.track.RunningTasks;
import io.lockwatch.runtime.util.PlatformThreads;
import java.lang.management.LockInfo;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Platform threads in a cycle of waits in which some thread waits for another thread itself rather than for a lock:
 * <ul>
 *   <li>for its end: "alpha" joins "beta" while "beta" joins "alpha"; or the shutdown that never ends, where "stopper"
 *       holds a lock and joins "worker", which waits for that lock;</li>
 *   <li>for the result of the task it runs: {@code get()} on a {@code FutureTask} that another thread is running, as
 *       two pool tasks that each get the other's future do, or a request that holds a lock while it gets the result
 *       of a task that waits for that lock.</li>
 * </ul>
 * Each waits for the next one, forever. The JVM's deadlock search does not see it (a join waits on the joined
 * thread's object and a {@code get()} parks on the task, neither of which any thread owns), and neither does a
 * thread dump. Found from the threads' snapshots: a thread in an untimed {@code Thread.join()} waits on the monitor
 * of the thread it joins (so on JDK 17 and 25), which is the live thread with that identity; a thread parked,
 * untimed, on a {@code FutureTask} that has no result yet waits for the task's runner; a thread waiting for a lock
 * whose owner the JVM names waits for that owner. A timed wait (a timed join or {@code get()}, a {@code tryLock} with
 * a timeout) ends by itself, so it is no edge; a virtual thread is in no snapshot, and is not seen here. Cycles of lock waits alone are the JVM's search's.
 */
final class JoinAndResultCycles {
    private JoinAndResultCycles() {}

    /** One cycle: each thread waits for the next (joins it, gets the result of its task, or waits for its lock). */
    static final class Cycle {
        final long[] threadIds;
        /** How each thread waits for the next one. */
        final Tie[] ties;
        /** For a thread that waits for the result of the next one's task, that task; else null. */
        private final Object[] tasks;
        final String key;

        /** {@code waitedFor}: the thread each waiter joins or whose task's result it waits for; {@code results}: that task. */
        Cycle(List<Long> ids, Map<Long, Long> waitedFor, Map<Long, Object> results) {
            threadIds = new long[ids.size()];
            ties = new Tie[ids.size()];
            tasks = new Object[ids.size()];
            for (int i = 0; i < threadIds.length; i++) {
                threadIds[i] = ids.get(i);
                tasks[i] = results.get(ids.get(i));
                ties[i] = tasks[i] != null ? Tie.RESULT : waitedFor.containsKey(ids.get(i)) ? Tie.JOIN : Tie.LOCK;
            }
            List<Long> sorted = new ArrayList<>(ids);
            sorted.sort(null);
            key = "waits for threads " + sorted;
        }

        private boolean waitsForAThreadItself() {
            for (Tie t : ties) {
                if (t != Tie.LOCK) return true;
            }
            return false;
        }

        /**
         * Do the snapshots with stacks (in cycle order) show the same cycle: each joining thread in an untimed
         * {@code Thread.join}, each thread getting a result still parked on that task while the next one runs it,
         * each other one still waiting for a lock of the next?
         */
        boolean confirmedBy(ThreadInfo[] infos) {
            for (int i = 0; i < infos.length; i++) {
                ThreadInfo info = infos[i];
                if (info == null) return false; // it ended meanwhile
                long next = threadIds[(i + 1) % infos.length];
                boolean same;
                switch (ties[i]) {
                    case JOIN: same = isInUntimedJoin(info); break;
                    case RESULT: same = isParkedOn(info, tasks[i]) && runnerId(tasks[i]) == next; break;
                    default: same = lockOwner(info) == next;
                }
                if (!same) return false;
            }
            return true;
        }
    }

    /**
     * The cycles with a join or a result in them, among the snapshots' untimed waits on the monitor of a live thread
     * or on a running task, and their waits for locks with a named owner (the snapshots here have no stacks:
     * {@link Cycle#confirmedBy} tells, with stacks, whether the monitor waits are joins).
     */
    static List<Cycle> find(Map<Long, ThreadInfo> live) {
        Map<Long, ThreadInfo> waiters = new HashMap<>();
        Set<String> waitedOnClasses = new HashSet<>();
        for (ThreadInfo info : live.values()) {
            LockInfo on = info.getLockInfo();
            if (info.getThreadState() != Thread.State.WAITING || on == null || info.getLockOwnerId() >= 0) continue;
            waiters.put(info.getThreadId(), info);
            waitedOnClasses.add(on.getClassName());
        }
        if (waiters.isEmpty()) return List.of();
        Map<Long, Long> waitedFor = new HashMap<>(); // waiter -> the thread it joins, or whose task's result it waits for
        Map<Long, Object> results = new HashMap<>(); // waiter -> the running task it is parked on (the others join)
        Map<Integer, Long> threads = new HashMap<>(); // the threads of the classes waited on, by identity
        List<Thread> waiting = new ArrayList<>();
        for (Thread t : PlatformThreads.all()) {
            if (waitedOnClasses.contains(t.getClass().getName())) threads.put(System.identityHashCode(t), t.getId());
            if (waiters.containsKey(t.getId())) waiting.add(t);
        }
        for (Thread t : waiting) {
            ThreadInfo info = waiters.get(t.getId());
            Long joined = threads.get(info.getLockInfo().getIdentityHashCode());
            if (joined != null && live.containsKey(joined)) {
                waitedFor.put(t.getId(), joined);
                continue;
            }
            Object task = LockSupport.getBlocker(t);
            long runner = isParkedOn(info, task) ? runnerId(task) : -1;
            if (runner >= 0 && live.containsKey(runner)) {
                waitedFor.put(t.getId(), runner);
                results.put(t.getId(), task);
            }
        }
        List<Cycle> cycles = new ArrayList<>();
        Function<Long, Long> next = t -> {
            Long thread = waitedFor.get(t);
            long owner = thread == null ? lockOwner(live.get(t)) : thread;
            return owner >= 0 ? owner : null;
        };
        for (List<Long> ids : WaitChains.cycles(waitedFor.keySet(), next)) {
            // One thread: it joins itself (a self_join, reported at the call) or gets its own task's result (a
            // self_wait). No join or result: a cycle of lock waits that one led to, which the JVM's search has.
            if (ids.size() < 2) continue;
            Cycle cycle = new Cycle(ids, waitedFor, results);
            if (cycle.waitsForAThreadItself()) cycles.add(cycle);
        }
        return cycles;
    }

    /**
     * The thread the JVM names as the owner of the lock this one waits for without a timeout, or -1 (running, no
     * owner, no thread; or a timed wait, a {@code tryLock(timeout)}, which ends by itself).
     */
    private static long lockOwner(ThreadInfo info) {
        if (info == null) return -1;
        Thread.State state = info.getThreadState();
        return state == Thread.State.BLOCKED || state == Thread.State.WAITING ? info.getLockOwnerId() : -1;
    }

    /** Is the thread (in this snapshot) parked, untimed, on this very object? */
    private static boolean isParkedOn(ThreadInfo info, Object blocker) {
        LockInfo on = info.getLockInfo();
        return blocker != null && info.getThreadState() == Thread.State.WAITING && on != null
                && on.getIdentityHashCode() == System.identityHashCode(blocker);
    }

    /** The id of the thread running this task, which has no result yet; -1 if none (or not a {@code FutureTask}). */
    private static long runnerId(Object task) {
        Thread runner = RunningTasks.runnerOf(task);
        return runner != null ? runner.getId() : -1;
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
}
