package io.lockwatch.runtime.hang;

import java.lang.management.ThreadInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Who is blocked behind whom. A thread blocked on a lock whose owner is itself blocked on another lock waits for
 * whatever that second owner waits for: a request thread blocked on a cache's lock, whose holder is blocked on a
 * connection pool's lock, whose holder reads a socket, waits for the socket. The thread at the end of such a chain
 * (the root) is the one to look at; a hazard about it names every thread behind it, not only those on its own locks.
 */
final class WaitChains {
    private WaitChains() {}

    /**
     * The cycles of a wait-for relation in which each thread waits for at most one other ({@code next}: whom it
     * waits for, null when none; asked once per thread reached): from each start, the waits are followed until a
     * thread comes back.
     *
     * @return each cycle once, in wait order (each thread waits for the next, the last for the first)
     */
    static List<List<Long>> cycles(Iterable<Long> starts, Function<Long, Long> next) {
        List<List<Long>> cycles = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (long start : starts) {
            List<Long> path = new ArrayList<>();
            Map<Long, Integer> position = new HashMap<>();
            Long at = start;
            while (at != null && !seen.contains(at) && !position.containsKey(at)) {
                position.put(at, path.size());
                path.add(at);
                at = next.apply(at);
            }
            seen.addAll(path);
            Integer cycleStart = at == null ? null : position.get(at);
            if (cycleStart != null) cycles.add(path.subList(cycleStart, path.size()));
        }
        return cycles;
    }

    /**
     * @param live one snapshot of the threads
     * @param waitersByOwner the snapshot's threads that wait for an owned lock, by owner
     * @return for each thread that others wait for and that waits for no owned lock itself: the threads blocked
     *     behind it, directly or through each other, nearest first (threads in an owner cycle, a deadlock, have no
     *     such root and are in no list)
     */
    static Map<Long, List<Long>> byRoot(Map<Long, ThreadInfo> live, Map<Long, List<Long>> waitersByOwner) {
        Map<Long, List<Long>> byRoot = new LinkedHashMap<>();
        for (Map.Entry<Long, List<Long>> e : waitersByOwner.entrySet()) {
            ThreadInfo owner = live.get(e.getKey());
            if (owner == null || owner.getLockOwnerId() >= 0) continue; // unknown to the snapshot, or blocked itself
            byRoot.put(e.getKey(), behind(Collections.singleton(e.getKey()), waitersByOwner));
        }
        return byRoot;
    }

    /**
     * @param heads threads others may wait for (a chain's end, a deadlock's cycle)
     * @return the threads blocked behind any of them, directly or through each other, nearest first (not the heads)
     */
    static List<Long> behind(Set<Long> heads, Map<Long, List<Long>> waitersByOwner) {
        List<Long> behind = new ArrayList<>();
        Set<Long> seen = new HashSet<>(heads);
        Deque<Long> next = new ArrayDeque<>(heads);
        while (!next.isEmpty()) {
            List<Long> waiters = waitersByOwner.get(next.poll());
            if (waiters == null) continue;
            for (long w : waiters) {
                if (!seen.add(w)) continue;
                behind.add(w);
                next.add(w);
            }
        }
        return behind;
    }

    /**
     * @param infos a full snapshot of a root ({@code infos[0]}) and of the threads that were behind it, nearest first
     *     (null for a thread that has ended)
     * @return those still blocked behind the root in this snapshot: on a lock it owns, or on one owned by a thread
     *     kept before them
     */
    static List<ThreadInfo> stillBehind(ThreadInfo[] infos) {
        List<ThreadInfo> behind = new ArrayList<>();
        Set<Long> chain = new HashSet<>();
        chain.add(infos[0].getThreadId());
        for (int i = 1; i < infos.length; i++) {
            ThreadInfo t = infos[i];
            if (t == null || !chain.contains(t.getLockOwnerId())) continue;
            behind.add(t);
            chain.add(t.getThreadId());
        }
        return behind;
    }
}
