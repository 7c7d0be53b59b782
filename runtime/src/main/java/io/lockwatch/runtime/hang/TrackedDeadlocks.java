package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.track.LockStack;
import io.lockwatch.runtime.track.ThreadRegistry;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.AbstractOwnableSynchronizer;
import java.util.concurrent.locks.LockSupport;

/**
 * Deadlocks with a virtual thread in them, which the JVM's deadlock search does not see: its thread
 * snapshots leave virtual threads out, and a platform thread blocked on a monitor that a virtual thread owns
 * shows no owner there. lockwatch follows its own held-lock stacks instead ({@link ThreadRegistry#sweep}).
 *
 * <p>The wait-for graph, from the threads that are blocked or parked without a timeout and hold something:
 * <ul>
 *   <li>A thread {@code BLOCKED} waits for the monitor on top of its stack (monitors are pushed just before
 *       {@code monitorenter}). Its holders are the threads with that monitor further down their stacks.</li>
 *   <li>A thread {@code WAITING} with an {@code AbstractOwnableSynchronizer} as its park blocker waits for
 *       that synchronizer (a {@code ReentrantLock}'s, a read/write lock's). Its holder is the synchronizer's
 *       exclusive owner, as the JDK knows it; with none (a write lock wanted while others read) the threads
 *       with that synchronizer's lock on their stacks. A condition, a latch or a semaphore has no holder.</li>
 * </ul>
 * A cycle in it with a virtual thread in it is a deadlock once it is seen at two checks in a row: the stacks
 * are read without any synchronization, so one check may see a stack mid-change. Every lock of such a cycle
 * is exclusive to its holder, so the cycle's waits cannot be anything but waits for each other.
 *
 * <p>Cycles of platform threads alone are left to the JVM's search, which sees every lock, instrumented or
 * not. What this one cannot see: locks taken in code lockwatch does not instrument, and the locks of a
 * section that takes only leaf sections (neither goes on the stack), so a cycle through one is missed, never
 * invented.
 */
final class TrackedDeadlocks {
    /** {@code Thread.isVirtual()} (JDK 21 and later), or null: then there is nothing to look for. */
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();
    private static final Method EXCLUSIVE_OWNER = exclusiveOwnerMethod();

    /** Cycles seen at the last check, by key: one seen again now is reported. */
    private Set<String> seenLastCheck = Collections.emptySet();
    /** Since when each waiting thread has waited for the object it waits on now. */
    private final Map<Long, Wait> waits = new HashMap<>();

    private static final class Wait {
        final Object on;
        final long since;

        Wait(Object on, long since) {
            this.on = on;
            this.since = since;
        }
    }

    /** One thread of the graph: its stack, and what it waits for (null when not a lock). */
    private static final class Waiter {
        final LockStack stack;
        final Object waitsOn;
        /** The top entry is what it waits for, not a lock it holds. */
        final boolean topIsWanted;
        /** The synchronizer's owner as the JDK knows it, or null. */
        final Thread owner;
        final List<Waiter> next = new ArrayList<>(1);

        Waiter(LockStack stack, Object waitsOn, boolean topIsWanted, Thread owner) {
            this.stack = stack;
            this.waitsOn = waitsOn;
            this.topIsWanted = topIsWanted;
            this.owner = owner;
        }

        int heldCount() {
            return topIsWanted ? stack.size() - 1 : stack.size();
        }
    }

    /** What a check found: the deadlocks not reported yet, each by its key (its threads and the locks they wait on). */
    static final class Found {
        final Map<String, List<ThreadView>> deadlocks = new LinkedHashMap<>();
        /** How many threads are in them (for {@code threadsDeadlockedNow}). */
        int threads;
    }

    /**
     * One check: the cycles with a virtual thread in them that were there at the last check too.
     *
     * @param stacks the watched threads that wait while holding something ({@link ThreadRegistry#sweep})
     * @param reported the keys of the deadlocks reported already: counted, not described again
     */
    Found check(List<LockStack> stacks, long now, int stackDepth, Set<String> reported) {
        Found found = new Found();
        if (IS_VIRTUAL == null) return found;
        List<Waiter> waiters = waiters(stacks, now);
        Set<String> seenNow = new HashSet<>();
        Set<Long> deadlocked = new HashSet<>();
        for (List<Waiter> cycle : cycles(waiters)) {
            if (!hasVirtualThread(cycle)) continue;
            String key = key(cycle);
            if (!seenNow.add(key) || !seenLastCheck.contains(key)) continue;
            for (Waiter w : cycle) deadlocked.add(w.stack.threadId);
            if (!reported.contains(key)) found.deadlocks.put(key, views(cycle, now, stackDepth));
        }
        seenLastCheck = seenNow;
        found.threads = deadlocked.size();
        return found;
    }

    private List<Waiter> waiters(List<LockStack> stacks, long now) {
        List<Waiter> waiters = new ArrayList<>();
        Map<Long, Waiter> byId = new HashMap<>();
        for (LockStack stack : stacks) {
            Waiter w = waiterOf(stack);
            waiters.add(w);
            byId.put(stack.threadId, w);
        }
        waits.keySet().retainAll(byId.keySet());
        // Who holds what: the object a waiter would wait on for each lock held, mapped to its holders.
        Map<Object, List<Waiter>> holders = new IdentityHashMap<>();
        for (Waiter w : waiters) {
            for (int i = 0; i < w.heldCount(); i++) {
                Object on = w.stack.waitedOnAt(i);
                if (on != null) holders.computeIfAbsent(on, k -> new ArrayList<>(1)).add(w);
            }
        }
        for (Waiter w : waiters) {
            if (w.waitsOn == null) {
                waits.remove(w.stack.threadId);
                continue;
            }
            Wait since = waits.get(w.stack.threadId);
            if (since == null || since.on != w.waitsOn) waits.put(w.stack.threadId, new Wait(w.waitsOn, now));
            if (w.owner != null) {
                Waiter owner = byId.get(w.owner.getId());
                if (owner != null && owner != w) w.next.add(owner);
                continue;
            }
            for (Waiter h : holders.getOrDefault(w.waitsOn, Collections.emptyList())) {
                if (h != w) w.next.add(h);
            }
        }
        return waiters;
    }

    private static Waiter waiterOf(LockStack stack) {
        int top = stack.size() - 1;
        if (stack.state == Thread.State.BLOCKED) {
            // Blocked on a monitor: the one pushed last, unless it was taken in code we do not track (then it is
            // held, and nobody else's stack has it: no edge, no cycle).
            return stack.isMonitorAt(top) && stack.mayBePending(top)
                    ? new Waiter(stack, stack.lockAt(top), true, null)
                    : new Waiter(stack, null, false, null);
        }
        Object blocker = LockSupport.getBlocker(stack.thread);
        if (!(blocker instanceof AbstractOwnableSynchronizer)) return new Waiter(stack, null, false, null);
        boolean topIsWanted = stack.mayBePending(top) && stack.synchronizerAt(top) == blocker;
        return new Waiter(stack, blocker, topIsWanted, exclusiveOwner(blocker));
    }

    /** Every cycle of the graph, each once (each waiter has one successor but for a lock read by several). */
    private static List<List<Waiter>> cycles(List<Waiter> waiters) {
        List<List<Waiter>> cycles = new ArrayList<>();
        Map<Waiter, Integer> done = new IdentityHashMap<>();
        for (Waiter start : waiters) {
            if (done.containsKey(start)) continue;
            List<Waiter> path = new ArrayList<>();
            search(start, path, done, cycles);
        }
        return cycles;
    }

    /** Depth-first: a successor already on the path closes a cycle. */
    private static void search(Waiter at, List<Waiter> path, Map<Waiter, Integer> done, List<List<Waiter>> cycles) {
        int onPath = path.indexOf(at);
        if (onPath >= 0) {
            cycles.add(new ArrayList<>(path.subList(onPath, path.size())));
            return;
        }
        if (done.containsKey(at)) return;
        path.add(at);
        for (Waiter next : at.next) search(next, path, done, cycles);
        path.remove(path.size() - 1);
        done.put(at, 1);
    }

    private static boolean hasVirtualThread(List<Waiter> cycle) {
        for (Waiter w : cycle) {
            try {
                if ((boolean) IS_VIRTUAL.invokeExact(w.stack.thread)) return true;
            } catch (Throwable e) {
                return false;
            }
        }
        return false;
    }

    /** The same cycle, whichever thread a check starts it from: its threads and the locks they wait on. */
    private static String key(List<Waiter> cycle) {
        List<String> parts = new ArrayList<>();
        for (Waiter w : cycle) parts.add(w.stack.threadId + "/" + LockRef.of(w.waitsOn, null).name());
        Collections.sort(parts);
        return String.join(" ", parts);
    }

    private List<ThreadView> views(List<Waiter> cycle, long now, int stackDepth) {
        List<ThreadView> views = new ArrayList<>();
        for (int i = 0; i < cycle.size(); i++) {
            Waiter w = cycle.get(i);
            Waiter owner = cycle.get((i + 1) % cycle.size());
            List<LockRef> held = new ArrayList<>();
            for (int j = 0; j < w.heldCount(); j++) {
                Object on = w.stack.waitedOnAt(j);
                StackTraceElement site = w.stack.siteAt(j);
                held.add(LockRef.of(on != null ? on : w.stack.lockAt(j), site != null ? ThreadView.plain(site) : null));
            }
            StackTraceElement[] frames = w.stack.thread.getStackTrace();
            if (frames.length > stackDepth) frames = Arrays.copyOf(frames, stackDepth);
            Wait since = waits.get(w.stack.threadId);
            long millis = since == null ? 0 : TimeUnit.NANOSECONDS.toMillis(now - since.since);
            views.add(new ThreadView(w.stack.thread, w.stack.state.name(), LockRef.of(w.waitsOn, null),
                    owner.stack.thread, millis, held, frames));
        }
        return views;
    }

    private static Thread exclusiveOwner(Object synchronizer) {
        if (EXCLUSIVE_OWNER == null) return null;
        try {
            return (Thread) EXCLUSIVE_OWNER.invoke(synchronizer);
        } catch (Throwable e) {
            return null;
        }
    }

    private static MethodHandle isVirtualHandle() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (Throwable e) {
            return null; // JDK 17 to 20: no virtual threads
        }
    }

    /** Opened to us by the agent with the rest of {@code java.util.concurrent.locks}; without it, owners come from the stacks. */
    private static Method exclusiveOwnerMethod() {
        try {
            Method m = AbstractOwnableSynchronizer.class.getDeclaredMethod("getExclusiveOwnerThread");
            m.setAccessible(true);
            return m;
        } catch (Throwable e) {
            return null;
        }
    }
}
