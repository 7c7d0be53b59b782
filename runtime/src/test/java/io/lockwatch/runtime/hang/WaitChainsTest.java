package io.lockwatch.runtime.hang;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Chains of lock waits on real threads and real locks ({@code ReentrantLock}s taken interruptibly, so that every
 * thread can be let go at the end): who is blocked behind whom, and which thread ends each chain.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WaitChainsTest {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private final List<Thread> started = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void letEveryThreadGo() throws InterruptedException {
        release.countDown();
        for (Thread t : started) t.interrupt();
        for (Thread t : started) t.join();
    }

    @Test
    void threadsBlockedThroughOthersAreBehindTheThreadAtTheEndOfTheChain() throws Exception {
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        Thread root = holdThenWait("root", a, null);
        Thread middle = holdThenWait("middle", b, a);
        blockedOn(middle, root);
        Thread last = holdThenWait("last", null, b);
        blockedOn(last, middle);
        Thread alsoOnA = holdThenWait("also-on-a", null, a);
        blockedOn(alsoOnA, root);

        Map<Long, List<Long>> byRoot = WaitChains.byRoot(snapshot(), waitersByOwner(snapshot()));
        assertEquals(Map.of(root.getId(), List.of(middle.getId(), alsoOnA.getId(), last.getId())), byRoot);

        ThreadInfo[] full = MX.getThreadInfo(new long[] {root.getId(), middle.getId(), alsoOnA.getId(), last.getId()}, 8);
        assertEquals(List.of("middle", "also-on-a", "last"), names(WaitChains.stillBehind(full)));
        // A thread that left a chain takes those behind it out of the chain: here "middle" leaves its wait.
        middle.interrupt();
        middle.join();
        awaitNotBlocked(last);
        // middle's leaving wakes the next waiter for A, which parks again: wait until it is back.
        blockedOn(alsoOnA, root);
        full = MX.getThreadInfo(new long[] {root.getId(), middle.getId(), alsoOnA.getId(), last.getId()}, 8);
        assertEquals(List.of("also-on-a"), names(WaitChains.stillBehind(full)));
    }

    @Test
    void threadsInAnOwnerCycleAndThoseBehindThemHaveNoRoot() throws Exception {
        ReentrantLock x = new ReentrantLock();
        ReentrantLock y = new ReentrantLock();
        CountDownLatch bothHold = new CountDownLatch(2);
        Thread first = cycleMember("first", x, y, bothHold);
        Thread second = cycleMember("second", y, x, bothHold);
        blockedOn(first, second);
        blockedOn(second, first);
        Thread behind = holdThenWait("behind", null, x);
        blockedOn(behind, first);
        Map<Long, ThreadInfo> live = snapshot();
        assertEquals(Map.of(), WaitChains.byRoot(live, waitersByOwner(live)));
    }

    /** A thread that takes {@code holds} (if any), then {@code waitsFor} (if any), then waits for the test's end. */
    private Thread holdThenWait(String name, ReentrantLock holds, ReentrantLock waitsFor) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            if (holds != null) holds.lock();
            try {
                holding.countDown();
                if (waitsFor != null) waitsFor.lockInterruptibly();
                release.await();
            } catch (InterruptedException e) {
                // let go
            } finally {
                if (waitsFor != null && waitsFor.isHeldByCurrentThread()) waitsFor.unlock();
                if (holds != null) holds.unlock();
            }
        }, name);
        t.setDaemon(true);
        started.add(t);
        t.start();
        holding.await();
        return t;
    }

    private Thread cycleMember(String name, ReentrantLock holds, ReentrantLock waitsFor, CountDownLatch bothHold) {
        Thread t = new Thread(() -> {
            holds.lock();
            try {
                bothHold.countDown();
                bothHold.await();
                waitsFor.lockInterruptibly();
                waitsFor.unlock();
            } catch (InterruptedException e) {
                // let go
            } finally {
                holds.unlock();
            }
        }, name);
        t.setDaemon(true);
        started.add(t);
        t.start();
        return t;
    }

    /** Polls the JVM's snapshot until {@code waiter} waits for a lock that {@code owner} owns. */
    private static void blockedOn(Thread waiter, Thread owner) throws InterruptedException {
        while (MX.getThreadInfo(waiter.getId()).getLockOwnerId() != owner.getId()) Thread.sleep(5);
    }

    private static void awaitNotBlocked(Thread waiter) throws InterruptedException {
        while (MX.getThreadInfo(waiter.getId()).getLockOwnerId() >= 0) Thread.sleep(5);
    }

    private static Map<Long, ThreadInfo> snapshot() {
        Map<Long, ThreadInfo> live = new HashMap<>();
        for (ThreadInfo info : MX.getThreadInfo(MX.getAllThreadIds(), 0)) {
            if (info != null) live.put(info.getThreadId(), info);
        }
        return live;
    }

    /** As the detector builds it: the threads that wait for an owned lock, by owner, in thread id order. */
    private static Map<Long, List<Long>> waitersByOwner(Map<Long, ThreadInfo> live) {
        Map<Long, List<Long>> byOwner = new LinkedHashMap<>();
        live.values().stream().sorted((p, q) -> Long.compare(p.getThreadId(), q.getThreadId())).forEach(info -> {
            if (info.getLockOwnerId() >= 0) byOwner.computeIfAbsent(info.getLockOwnerId(), k -> new ArrayList<>()).add(info.getThreadId());
        });
        return byOwner;
    }

    private static List<String> names(List<ThreadInfo> infos) {
        List<String> names = new ArrayList<>();
        for (ThreadInfo i : infos) names.add(i.getThreadName());
        return names;
    }
}
