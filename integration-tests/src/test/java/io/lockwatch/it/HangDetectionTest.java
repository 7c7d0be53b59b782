package io.lockwatch.it;

import static io.lockwatch.it.harness.Report.mentions;
import static io.lockwatch.it.harness.Report.sortedStrings;
import static io.lockwatch.it.harness.Report.strings;
import static io.lockwatch.it.harness.Report.threadNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildJvm.Running;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.harness.Scrape;
import io.lockwatch.it.harness.ThreeAtATime;
import io.lockwatch.it.programs.ClassInitDeadlock;
import io.lockwatch.it.programs.ConditionStall;
import io.lockwatch.it.programs.DeadOwner;
import io.lockwatch.it.programs.DoubleStart;
import io.lockwatch.it.programs.JoinUnderLock;
import io.lockwatch.it.programs.LatchStall;
import io.lockwatch.it.programs.LongHold;
import io.lockwatch.it.programs.MixedDeadlock;
import io.lockwatch.it.programs.MonitorDeadlock;
import io.lockwatch.it.programs.MutualJoin;
import io.lockwatch.it.programs.QuietWaits;
import io.lockwatch.it.programs.ReadLockDeadlock;
import io.lockwatch.it.programs.ReadWriteUpgrade;
import io.lockwatch.it.programs.SelfJoin;
import io.lockwatch.it.programs.SelfWait;
import io.lockwatch.it.programs.SleepingHolders;
import io.lockwatch.it.programs.StampedLockInversion;
import io.lockwatch.it.programs.StarvedGuavaPool;
import io.lockwatch.it.programs.StarvedPool;
import io.lockwatch.it.programs.TasksWaitingForEachOther;
import io.lockwatch.it.programs.VirtualDeadlock;
import io.lockwatch.it.programs.VirtualThreadsUnderContention;
import io.lockwatch.it.programs.VirtualWaits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Programs that really hang, killed by the test once lockwatch has reported the hang: each on the SIGTERM
 * path (the shutdown hook completes the report while the threads are still stuck) and on the SIGKILL path
 * (nothing runs at exit; what was found must already be on disk).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@ThreeAtATime // most tests wait out a threshold in a hung child JVM
class HangDetectionTest {
    private static final String THRESHOLD = "stall-threshold=2s";
    /** Generous: the threshold, a check period, and a JVM start on a busy 2-core machine. */
    private static final long FIND_SECONDS = 30;

    /** How the test ends the hung program. */
    enum Stop {
        TERM {
            @Override
            ChildResult end(Running run) {
                return run.terminate(30);
            }
        },
        KILL {
            @Override
            ChildResult end(Running run) {
                return run.kill(30);
            }
        };

        abstract ChildResult end(Running run);
    }

    private static Running start(Class<?> program, String... args) {
        return ChildJvm.run(program).agentOptions(THRESHOLD).args(args).start();
    }

    /** Ends the program and reads (and validates) its report. */
    private static Report endAndRead(Running run, Stop stop) {
        return endCleanly(run, stop).report();
    }

    /** Ends the program; lockwatch must have reported no problem of its own. */
    private static ChildResult endCleanly(Running run, Stop stop) {
        ChildResult result = stop.end(run);
        assertFalse(result.stderr.contains("[lockwatch] ERROR"), "lockwatch reported a problem:\n" + result.stderr);
        assertEquals(0, result.report().stat("internalErrors"), result.stderr);
        return result;
    }

    /** StarvedPool in this mode, once it froze and lockwatch printed its finding ("all 2 workers of" the pool). */
    private static Running frozenPool(String mode, String workers) {
        return frozenPool(mode, workers, "java.util.concurrent.ThreadPoolExecutor");
    }

    private static Running frozenPool(String mode, String workers, String poolClass) {
        Running run = mode.isEmpty() ? start(StarvedPool.class) : start(StarvedPool.class, mode);
        run.awaitStdoutLine("waiting", FIND_SECONDS);
        run.awaitStderr("[lockwatch] HAZARD #1 pool_starvation: " + workers + " " + poolClass + "@", FIND_SECONDS);
        return run;
    }

    // ---- deadlocks ----

    @ParameterizedTest
    @EnumSource(Stop.class)
    void monitorDeadlockBetweenTwoNamedThreads(Stop stop) {
        Running run = start(MonitorDeadlock.class);
        run.awaitStderr("[lockwatch] DEADLOCK #1", FIND_SECONDS);
        Report report = endAndRead(run, stop);
        JsonNode deadlock = report.singleDeadlock();
        assertEquals(List.of("alpha", "beta"), threadNames(deadlock));
        assertCycle(deadlock, MonitorDeadlock.class, "java.lang.Object", "java.lang.Object");
        assertEquals(0, report.hazards().size(), report.hazards().toPrettyString());
        assertEquals(2, report.stat("threadsDeadlockedNow"));
    }

    /**
     * Two threads that join each other: each waits for the other to end, forever. The JVM's deadlock search and a
     * thread dump see nothing (a join waits on the joined thread's monitor, which no thread owns). Reported as a
     * deadlock at the first check that sees it, each thread's owner the thread it joins. Until the forty-second
     * session it was not reported at all. Virtual threads that join each other holding nothing, having taken no lock
     * before (no JVM snapshot shows them, and lockwatch's stacks watched only threads that had taken a lock), are
     * found from their joins, at the second check that sees them; until the forty-sixth session they were not. A virtual
     * thread and a platform one ("mixed": the virtual one's join waits in {@code Object.wait} on the platform thread,
     * parked on nothing) were not reported until the forty-eighth session.
     */
    @ParameterizedTest
    @ValueSource(strings = {"platform", "virtual", "mixed"})
    void threadsThatJoinEachOtherAreADeadlock(String mode) {
        if (!mode.equals("platform")) assumeVirtualThreads();
        Running run = start(MutualJoin.class, mode);
        run.awaitStdoutLine("joining", FIND_SECONDS);
        run.awaitStderr("[lockwatch] DEADLOCK #1: 2 threads, each joining the next one, which never ends", FIND_SECONDS);
        ChildResult result = run.terminate(30);
        // A join of a platform thread waits on the joined thread's monitor, of a virtual thread on its termination latch.
        // In "mixed" alpha is virtual and beta a platform thread. By joiner: alpha joins beta, beta alpha.
        String latch = "java.util.concurrent.CountDownLatch$Sync";
        Map<String, String> waitedOnClass = Map.of(
                "alpha", mode.equals("virtual") ? latch : "java.lang.Thread",
                "beta", mode.equals("platform") ? "java.lang.Thread" : latch);
        for (String joiner : List.of("alpha", "beta")) {
            String joined = joiner.equals("alpha") ? "beta" : "alpha";
            assertTrue(result.stderr.matches("(?s).*joining \"" + joined + "\" #\\d+: waiting for it to end, on "
                    + Pattern.quote(waitedOnClass.get(joiner)) + "@.*"), result.stderr);
        }
        Report report = result.report();
        JsonNode deadlock = report.singleDeadlock();
        String json = deadlock.toPrettyString();
        assertEquals(List.of("alpha", "beta"), threadNames(deadlock), json);
        JsonNode cycle = deadlock.get("cycle");
        for (int i = 0; i < cycle.size(); i++) {
            JsonNode thread = cycle.get(i);
            String next = cycle.get((i + 1) % cycle.size()).get("name").asText();
            assertEquals(next, thread.get("owner").get("name").asText(), json);
            assertEquals(waitedOnClass.get(thread.get("name").asText()), thread.get("waitingFor").get("class").asText(), json);
            assertTrue(mentions(thread.get("stack"), MutualJoin.class), json);
        }
        assertEquals(2, report.stat("threadsDeadlockedNow"), json);
        assertEquals(0, report.hazards().size(), report.hazards().toPrettyString());
    }

    /**
     * The shutdown that never ends: a thread holding a lock joins a thread that waits for that lock. Each waits for the
     * other, forever; the JVM's search sees only the lock wait. Reported as a deadlock at the first check that sees it,
     * the joiner's owner the thread it joins, and no stall besides (the program runs on 2.5 thresholds). Until the
     * forty-third session it was a stall (the joiner waiting on something nobody owns, a thread behind it), reported
     * only after the threshold. With virtual threads (which no JVM snapshot shows, joined through a termination
     * latch) lockwatch's stacks find it, at the second check that sees it. A virtual stopper joining a platform worker
     * waits in {@code Object.wait}, which gives up only the worker's monitor: not reported until the forty-eighth session.
     */
    @ParameterizedTest
    @ValueSource(strings = {"monitor", "lock", "virtual-monitor", "virtual-lock", "virtual-worker", "virtual-stopper"})
    void aThreadJoinedByTheHolderOfTheLockItWaitsForIsDeadlocked(String mode) {
        if (mode.startsWith("virtual")) assumeVirtualThreads();
        boolean virtualWorker = mode.startsWith("virtual") && !mode.equals("virtual-stopper");
        Running run = start(JoinUnderLock.class, mode);
        run.awaitStdoutLine("joining", FIND_SECONDS);
        run.awaitStderr("[lockwatch] DEADLOCK #1: 2 threads, each waiting for the next one: for a lock it holds, or"
                + " for its end (a join)", FIND_SECONDS);
        run.awaitStdoutLine("waited", FIND_SECONDS);
        ChildResult result = run.terminate(30);
        assertTrue(result.stderr.contains("joining \"worker\" #"), result.stderr);
        assertFalse(result.stderr.contains("HAZARD"), result.stderr);
        Report report = result.report();
        JsonNode deadlock = report.singleDeadlock();
        String json = deadlock.toPrettyString();
        assertEquals(List.of("stopper", "worker"), threadNames(deadlock), json);
        // A join of a platform thread waits on its monitor, of a virtual thread on its termination latch.
        assertWaitsUnderTheLockTheNextNeeds(deadlock, "stopper",
                virtualWorker ? "java.util.concurrent.CountDownLatch$Sync" : "java.lang.Thread", "worker",
                mode.endsWith("lock") ? "java.util.concurrent.locks.ReentrantLock$NonfairSync" : "java.lang.Object");
        assertTheOnlyFindingOfTwoAndAHalfThresholds(report, deadlock, JoinUnderLock.class);
    }

    /**
     * A deadlock of two threads: {@code waiter} waits on an object of {@code waitedOnClass} that no thread owns, for
     * {@code next} (its owner), while it holds the lock of class {@code lockClass} that {@code next} waits for.
     */
    private static void assertWaitsUnderTheLockTheNextNeeds(JsonNode deadlock, String waiter, String waitedOnClass,
                                                           String next, String lockClass) {
        String json = deadlock.toPrettyString();
        Map<String, JsonNode> byName = new TreeMap<>();
        for (JsonNode thread : deadlock.get("cycle")) byName.put(thread.get("name").asText(), thread);
        JsonNode waiting = byName.get(waiter);
        JsonNode locking = byName.get(next);
        assertEquals(next, waiting.get("owner").get("name").asText(), json);
        assertEquals(waitedOnClass, waiting.get("waitingFor").get("class").asText(), json);
        assertEquals(waiter, locking.get("owner").get("name").asText(), json);
        assertEquals(lockClass, locking.get("waitingFor").get("class").asText(), json);
        assertTrue(holds(waiting, locking.get("waitingFor").get("lock").asText()), json);
    }

    /**
     * The deadlock, of two threads of {@code program}, is the report's only finding, though the program ran on for
     * 2.5 thresholds: no stall (or other hazard) of its threads besides.
     */
    private static void assertTheOnlyFindingOfTwoAndAHalfThresholds(Report report, JsonNode deadlock, Class<?> program) {
        String json = deadlock.toPrettyString();
        for (JsonNode thread : deadlock.get("cycle")) assertTrue(mentions(thread.get("stack"), program), json);
        assertEquals(2, report.stat("threadsDeadlockedNow"), json);
        assertEquals(0, report.hazards().size(), report.hazards().toPrettyString());
        assertTrue(report.stat("hangChecks") >= 6, "hang checks: " + report.stat("hangChecks"));
    }

    /**
     * Threads that each wait in {@code get()} for the result of a task the next one runs: two pool tasks getting each
     * other's future, or a request holding a lock while it gets the result of a task that waits for that lock (a
     * monitor, a {@code ReentrantLock}). Each waits for the next, forever; the JVM's search sees at most the lock wait
     * (a {@code get()} parks on the task, which no thread owns). Reported as a deadlock at the first check that sees
     * it, each waiter's owner the thread running the task it waits for, and no stall besides (the program runs on 2.5
     * thresholds). Until the forty-fourth session the two tasks were not reported at all, and the request was a
     * stall, reported only after the threshold. With virtual threads (a thread-per-task executor's, whose futures the
     * threads they run are bound to) lockwatch's stacks find it, at the second check that sees it; two such tasks
     * getting each other's future holding nothing too: since the forty-sixth session once lockwatch watched their
     * threads (from a first lock: each task printed a line), since the forty-seventh from their {@code get()}, and
     * the virtual tasks take no lock before it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"each-other", "under-monitor", "under-lock", "virtual-each-other", "virtual-under-monitor",
            "virtual-under-lock", "virtual-worker"})
    void threadsWaitingForTheResultOfATaskTheNextOneRunsAreDeadlocked(String mode) {
        boolean virtual = mode.startsWith("virtual");
        if (virtual) assumeVirtualThreads();
        String futureClass = virtual ? "java.util.concurrent.ThreadPerTaskExecutor$ThreadBoundFuture" : "java.util.concurrent.FutureTask";
        Running run = start(TasksWaitingForEachOther.class, mode);
        run.awaitStdoutLine("waiting", FIND_SECONDS);
        boolean tasks = mode.endsWith("each-other");
        run.awaitStderr("[lockwatch] DEADLOCK #1: 2 threads, " + (tasks ? "each waiting for the result of a task the next"
                + " one runs" : "each waiting for the next one: for a lock it holds, or for the result of a task it runs"
                + " (a future)"), FIND_SECONDS);
        run.awaitStdoutLine("waited", FIND_SECONDS);
        ChildResult result = run.terminate(30);
        assertTrue(result.stderr.contains("waiting for the result of " + futureClass + "@"), result.stderr);
        assertTrue(result.stderr.matches("(?s).*waiting for the result of \\S+@\\p{XDigit}+, the task \"worker-\\d\" #\\d+ runs\n.*"),
                result.stderr);
        assertFalse(result.stderr.contains("HAZARD"), result.stderr);
        Report report = result.report();
        JsonNode deadlock = report.singleDeadlock();
        String json = deadlock.toPrettyString();
        assertEquals(tasks ? List.of("worker-1", "worker-2") : List.of("request", "worker-1"), threadNames(deadlock), json);
        if (tasks) {
            Map<String, JsonNode> byName = new TreeMap<>();
            for (JsonNode thread : deadlock.get("cycle")) byName.put(thread.get("name").asText(), thread);
            for (String[] pair : new String[][] {{"worker-1", "worker-2"}, {"worker-2", "worker-1"}}) {
                JsonNode waiter = byName.get(pair[0]);
                assertEquals(pair[1], waiter.get("owner").get("name").asText(), json);
                assertEquals(futureClass, waiter.get("waitingFor").get("class").asText(), json);
                assertEquals("WAITING", waiter.get("state").asText(), json);
            }
        } else {
            assertWaitsUnderTheLockTheNextNeeds(deadlock, "request", futureClass, "worker-1", mode.endsWith("under-lock")
                    ? "java.util.concurrent.locks.ReentrantLock$NonfairSync" : "java.lang.Object");
        }
        assertTheOnlyFindingOfTwoAndAHalfThresholds(report, deadlock, TasksWaitingForEachOther.class);
    }

    /**
     * The same request with a timeout on its {@code get()}, or on its task's {@code tryLock}: that wait ends by itself,
     * so it is no deadlock, but a stall (a wait on something nobody owns, holding a lock a thread is blocked on),
     * reported after the threshold. Until the forty-fourth session a timed lock wait was an edge of the join search,
     * and "under-lock-timed-task" would have been reported as a deadlock.
     */
    @ParameterizedTest
    @ValueSource(strings = {"under-lock-timed", "under-lock-timed-task", "virtual-under-lock-timed"})
    void aTimedWaitForAResultUnderALockIsAStallNotADeadlock(String mode) {
        if (mode.startsWith("virtual")) assumeVirtualThreads();
        assertAStallNotADeadlock(TasksWaitingForEachOther.class, mode, "request", "worker-1");
    }

    /**
     * A join with a timeout under the lock its thread needs: the same, a stall. Until the forty-fourth session
     * lockwatch's stacks took a virtual thread's timed join for an untimed one, and reported a deadlock. A virtual
     * stopper's timed join of a platform worker under a monitor was not reported until the forty-eighth session (its
     * {@code Object.wait} was taken to have given up any of its monitors).
     */
    @ParameterizedTest
    @ValueSource(strings = {"lock-timed", "virtual-lock-timed", "virtual-stopper-timed"})
    void aTimedJoinUnderALockIsAStallNotADeadlock(String mode) {
        if (mode.startsWith("virtual")) assumeVirtualThreads();
        assertAStallNotADeadlock(JoinUnderLock.class, mode, "stopper", "worker");
    }

    /** {@code program} in {@code mode}: {@code waiter}'s stall, {@code blocked} behind it, is all it reports. */
    private static void assertAStallNotADeadlock(Class<?> program, String mode, String waiter, String blocked) {
        Running run = start(program, mode);
        run.awaitStdoutLine(program == JoinUnderLock.class ? "joining" : "waiting", FIND_SECONDS);
        run.awaitStderr("[lockwatch] HAZARD #1 stall: thread \"" + waiter + "\"", FIND_SECONDS);
        run.awaitStdoutLine("waited", FIND_SECONDS);
        ChildResult result = endCleanly(run, Stop.TERM);
        assertFalse(result.stderr.contains("DEADLOCK"), result.stderr);
        Report report = result.report();
        assertEquals(0, report.deadlocks().size(), report.deadlocks().toPrettyString());
        JsonNode stall = report.singleHazard("stall");
        assertEquals(List.of(waiter, blocked), strings(stall.get("threads")), stall.toPrettyString());
    }

    /**
     * Threads that come to wait behind a deadlock (for a lock of its threads, or behind such a waiter) never continue
     * either: each is added to the deadlock's finding as it comes, and announced. The finding named the cycle alone
     * until the thirty-eighth session.
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void threadsPilingUpBehindADeadlockAreNamedInIt(Stop stop) {
        requestsBehindMonitorDeadlock(stop, "behind");
    }

    /** MonitorDeadlock's requests in this mode: request-1 and 2 wait for alpha's monitor, request-3 for request-2's. */
    private static void requestsBehindMonitorDeadlock(Stop stop, String mode) {
        Map<String, JsonNode> blocked = threadsBehindTheDeadlock(stop, MonitorDeadlock.class, mode,
                List.of("alpha", "beta"), List.of("request-1", "request-2", "request-3"));
        String json = blocked.toString();
        assertEquals("alpha", blocked.get("request-1").get("owner").get("name").asText(), json);
        assertEquals("alpha", blocked.get("request-2").get("owner").get("name").asText(), json);
        assertEquals("request-2", blocked.get("request-3").get("owner").get("name").asText(), json);
        assertTrue(mentions(blocked.get("request-3").get("stack"), MonitorDeadlock.class), json);
    }

    /**
     * Runs {@code program} in {@code mode} until it prints "piled up" and its one deadlock names the threads
     * {@code behind} it, and the last thread behind is announced on stderr, then ends it; checks the cycle's threads.
     * Returns the threads behind, by name.
     */
    private static Map<String, JsonNode> threadsBehindTheDeadlock(Stop stop, Class<?> program, String mode,
                                                                  List<String> cycle, List<String> behind) {
        Running run = start(program, mode);
        run.awaitStdoutLine("piled up", FIND_SECONDS);
        run.awaitReport("the deadlock with " + behind.size() + " threads behind it", json -> {
            JsonNode deadlocks = json.get("deadlocks");
            return deadlocks.size() == 1 && deadlocks.get(0).has("blocked") && deadlocks.get(0).get("blocked").size() == behind.size();
        }, FIND_SECONDS);
        // Announced on stderr after the report is written (so that a kill cannot lose what stderr showed): waited
        // for, not looked for after the stop, which could come between the two.
        String last = behind.get(behind.size() - 1);
        run.awaitStderr("[lockwatch] DEADLOCK #1: thread \"" + last + "\" #", FIND_SECONDS);
        ChildResult result = endCleanly(run, stop);
        JsonNode deadlock = result.report().singleDeadlock();
        String json = deadlock.toPrettyString();
        assertEquals(cycle, threadNames(deadlock), "the cycle's threads: " + json);
        Map<String, JsonNode> blocked = new TreeMap<>();
        for (JsonNode b : deadlock.get("blocked")) blocked.put(b.get("name").asText(), b);
        assertEquals(behind, new ArrayList<>(blocked.keySet()), json);
        return blocked;
    }

    @ParameterizedTest
    @EnumSource(Stop.class)
    void monitorAndReentrantLockDeadlock(Stop stop) {
        Running run = start(MixedDeadlock.class);
        run.awaitStderr("[lockwatch] DEADLOCK #1", FIND_SECONDS);
        Report report = endAndRead(run, stop);
        JsonNode deadlock = report.singleDeadlock();
        assertEquals(List.of("lock-first", "monitor-first"), threadNames(deadlock));
        assertCycle(deadlock, MixedDeadlock.class, "java.lang.Object", "java.util.concurrent.locks.ReentrantLock$NonfairSync");
        assertEquals(0, report.hazards().size(), report.hazards().toPrettyString());
    }

    /**
     * Two threads each holding one {@code StampedLock}'s write lock and waiting for the other's. A StampedLock names
     * no owner, so the JVM's search sees two parked threads; until the thirty-eighth session lockwatch reported only
     * the potential deadlock, and counted nobody stuck.
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void deadlockBetweenTwoStampedLocks(Stop stop) {
        stampedLockDeadlock("deadlock", stop);
    }

    /**
     * The same, one of the locks held through its {@code asWriteLock()} view (a {@code Lock}, no stamp): the hang
     * search compared the view with the lock it waits for, never matched, and found no deadlock until the
     * thirty-ninth session.
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void deadlockBetweenTwoStampedLocksOneHeldThroughAView(Stop stop) {
        stampedLockDeadlock("deadlock-view", stop);
    }

    private static void stampedLockDeadlock(String mode, Stop stop) {
        Running run = start(StampedLockInversion.class, mode);
        run.awaitStdoutLine("waiting", FIND_SECONDS);
        run.awaitStderr("[lockwatch] DEADLOCK #1: 2 threads, each waiting for a lock the next one holds", FIND_SECONDS);
        Report report = endAndRead(run, stop);
        JsonNode deadlock = report.singleDeadlock();
        assertEquals(List.of("first", "second"), threadNames(deadlock));
        assertCycle(deadlock, StampedLockInversion.class,
                "java.util.concurrent.locks.StampedLock", "java.util.concurrent.locks.StampedLock");
        assertEquals(0, report.hazards().size(), report.hazards().toPrettyString());
        assertEquals(2, report.stat("threadsDeadlockedNow"));
    }

    /**
     * The StampedLock deadlock above with threads piling up behind it: "late" parked on one of the StampedLocks (no
     * owner for the JVM to name), "later" blocked on a monitor "late" holds. Both are named in the deadlock, as for a
     * cycle the JVM finds; until the thirty-ninth session a deadlock found from lockwatch's stacks named its cycle
     * alone.
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void threadsPilingUpBehindAStampedLockDeadlockAreNamedInIt(Stop stop) {
        Map<String, JsonNode> blocked = threadsBehindTheDeadlock(stop, StampedLockInversion.class, "deadlock-behind",
                List.of("first", "second"), List.of("late", "later"));
        String json = blocked.toString();
        assertEquals("java.util.concurrent.locks.StampedLock", blocked.get("late").get("waitingFor").get("class").asText(), json);
        assertEquals("late", blocked.get("later").get("owner").get("name").asText(), json);
        assertTrue(mentions(blocked.get("later").get("stack"), StampedLockInversion.class), json);
    }

    /**
     * Threads piling up behind a deadlock of virtual threads, which the JVM's snapshots leave out: lockwatch's stacks
     * show who comes to wait behind it, a virtual thread waiting for a lock of the cycle, another holding a monitor
     * while it does, and a platform thread blocked on that monitor; and "main", which joins v-alpha holding nothing
     * (named since the forty-sixth session, when lockwatch began to watch the joiners of virtual threads).
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void threadsPilingUpBehindAVirtualThreadDeadlockAreNamedInIt(Stop stop) {
        assumeVirtualThreads();
        Map<String, JsonNode> blocked = threadsBehindTheDeadlock(stop, VirtualDeadlock.class, "locks-behind",
                List.of("v-alpha", "v-beta"), List.of("main", "p-request-3", "v-request-1", "v-request-2"));
        String json = blocked.toString();
        assertEquals("v-alpha", blocked.get("main").get("owner").get("name").asText(), json);
        assertEquals("java.util.concurrent.CountDownLatch$Sync", blocked.get("main").get("waitingFor").get("class").asText(), json);
        assertEquals("v-alpha", blocked.get("v-request-1").get("owner").get("name").asText(), json);
        assertEquals("v-alpha", blocked.get("v-request-2").get("owner").get("name").asText(), json);
        assertEquals("java.util.concurrent.locks.ReentrantLock$NonfairSync",
                blocked.get("v-request-2").get("waitingFor").get("class").asText(), json);
        assertEquals("v-request-2", blocked.get("p-request-3").get("owner").get("name").asText(), json);
        assertEquals("java.lang.Object", blocked.get("p-request-3").get("waitingFor").get("class").asText(), json);
        assertTrue(mentions(blocked.get("p-request-3").get("stack"), VirtualDeadlock.class), json);
    }

    /**
     * Virtual threads piling up behind a deadlock of platform threads, which the JVM's snapshots leave out, are named
     * in it too (from lockwatch's stacks), and so is the platform thread blocked behind one of them (request-1 and
     * request-2 are virtual here).
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void virtualThreadsPilingUpBehindADeadlockOfPlatformThreadsAreNamedInIt(Stop stop) {
        assumeVirtualThreads();
        requestsBehindMonitorDeadlock(stop, "behind-virtual");
    }

    /**
     * A writer waiting for a reader that waits for the writer's lock, all platform threads: the JVM names no owner of
     * a read lock, and lockwatch reported the writer as a stall (a wait on something nobody owns) until the
     * thirty-eighth session; it is a deadlock.
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void deadlockThroughAReadLockBetweenPlatformThreads(Stop stop) {
        Running run = start(ReadLockDeadlock.class);
        run.awaitStdoutLine("waiting", FIND_SECONDS);
        run.awaitStderr("[lockwatch] DEADLOCK #1: 2 threads, each waiting for a lock the next one holds", FIND_SECONDS);
        Report report = endAndRead(run, stop);
        JsonNode deadlock = report.singleDeadlock();
        assertEquals(List.of("reader", "writer"), threadNames(deadlock));
        assertCycle(deadlock, ReadLockDeadlock.class, "java.util.concurrent.locks.ReentrantLock$NonfairSync",
                "java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync");
        assertEquals(0, report.hazards().size(), "no stall: " + report.hazards().toPrettyString());
        assertEquals(2, report.stat("threadsDeadlockedNow"));
    }

    // ---- deadlocks in static initializers, which the JVM's own search does not see ----

    /**
     * Each thread waits for a class whose static initializer the other runs: both RUNNABLE, no lock, nothing for
     * {@code findDeadlockedThreads}. Found from the threads' unmoving CPU time, their {@code <clinit>} frames and
     * the JVM's thread dump.
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void deadlockBetweenTwoStaticInitializers(Stop stop) throws Exception {
        Running run = ChildJvm.run(ClassInitDeadlock.class).agentOptions(THRESHOLD + ",port=0").start();
        run.awaitStdoutLine("waiting", FIND_SECONDS);
        run.awaitStderr("[lockwatch] DEADLOCK #1 class_init_deadlock: 2 threads, each waiting for the initialization of a"
                + " class the next one is initializing", FIND_SECONDS);
        Scrape scrape = Scrape.of(Scrape.portOf(run));
        assertEquals(1, scrape.value("lockwatch_thread_dumps_total"), "the one thread dump, a safepoint, as a meter too");
        assertEquals(1, scrape.value("lockwatch_deadlocks_total"));
        ChildResult result = endCleanly(run, stop);
        String a = ClassInitDeadlock.class.getName() + "$A";
        String b = ClassInitDeadlock.class.getName() + "$B";
        assertTrue(result.stderr.contains("    waits for the initialization of " + b + ", which \"init-b\" #"), result.stderr);
        assertTrue(result.stderr.contains("    waits for the initialization of " + a + ", which \"init-a\" #"), result.stderr);
        Report report = result.report();
        JsonNode deadlock = report.singleDeadlock();
        String json = deadlock.toPrettyString();
        assertEquals("class_init_deadlock", deadlock.get("kind").asText(), json);
        assertEquals(List.of("init-a", "init-b"), threadNames(deadlock), json);
        Map<String, String> waits = new TreeMap<>();
        for (JsonNode thread : deadlock.get("cycle")) {
            String name = thread.get("name").asText();
            waits.put(name, thread.get("waitingForInitializationOf").asText());
            assertEquals("RUNNABLE", thread.get("state").asText(), json);
            assertEquals(List.of(name.equals("init-a") ? a : b), strings(thread.get("initializing")), json);
            assertTrue(thread.get("stack").get(0).asText().startsWith((name.equals("init-a") ? a : b) + ".<clinit>("), json);
            assertTrue(thread.get("waitingMillis").asLong() >= 2000, json);
        }
        assertEquals(Map.of("init-a", b, "init-b", a), waits, json);
        assertEquals(List.of("initialization of " + a, "initialization of " + b), sortedStrings(deadlock.get("locks")), json);
        assertEquals(2, report.stat("threadsDeadlockedNow"), json);
        assertEquals(1, report.stat("classInitThreadDumps"), json);
        assertEquals(0, report.hazards().size(), report.hazards().toPrettyString());
    }

    /**
     * A class's initialization and a lock: one thread holds a monitor and waits for a class whose static initializer
     * the other runs, which waits for that monitor. The JVM's search sees a thread blocked on a running one.
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void deadlockBetweenAStaticInitializerAndALock(Stop stop) {
        Running run = start(ClassInitDeadlock.class, "lock");
        run.awaitStdoutLine("waiting", FIND_SECONDS);
        run.awaitStderr("[lockwatch] DEADLOCK #1 class_init_deadlock: 2 threads, each waiting for the initialization of a"
                + " class the next one is initializing or for a lock it holds", FIND_SECONDS);
        ChildResult result = endCleanly(run, stop);
        String c = ClassInitDeadlock.class.getName() + "$C";
        assertTrue(result.stderr.contains("    waits for the initialization of " + c + ", which \"init-c\" #"), result.stderr);
        Report report = result.report();
        JsonNode deadlock = report.singleDeadlock();
        String json = deadlock.toPrettyString();
        assertEquals(List.of("init-c", "lock-holder"), threadNames(deadlock), json);
        for (JsonNode thread : deadlock.get("cycle")) {
            if (thread.get("name").asText().equals("lock-holder")) {
                assertEquals(c, thread.get("waitingForInitializationOf").asText(), json);
                assertEquals("RUNNABLE", thread.get("state").asText(), json);
                assertEquals("java.lang.Object", thread.get("holds").get(0).get("class").asText(), json);
                assertEquals(List.of(), strings(thread.get("initializing")), json);
            } else {
                assertTrue(thread.get("waitingForInitializationOf").isNull(), json);
                assertEquals("BLOCKED", thread.get("state").asText(), json);
                assertEquals("java.lang.Object", thread.get("waitingFor").get("class").asText(), json);
                assertEquals("lock-holder", thread.get("owner").get("name").asText(), json);
                assertEquals(List.of(c), strings(thread.get("initializing")), json);
            }
        }
        List<String> locks = sortedStrings(deadlock.get("locks"));
        assertEquals("initialization of " + c, locks.get(0), json);
        assertTrue(locks.get(1).startsWith("java.lang.Object@"), json);
        assertEquals(2, report.stat("threadsDeadlockedNow"), json);
        // "lock-holder" is RUNNABLE, holding the monitor "init-c" is blocked on: not a long hold, its wait is the
        // class's initialization (reported as one until the long-hold search left holders still in Java code alone).
        assertEquals(0, report.hazards().size(), report.hazards().toPrettyString());
    }

    /**
     * Two threads in static initializers waiting for a third class whose initializer sleeps 5 s, not for each
     * other: the JVM's thread dump shows no cycle, so no deadlock; the sleeping initializer, waited for past the
     * threshold, is a stall in a static initializer. The program ends.
     */
    @Test
    void staticInitializersWaitingForASlowOneAreAStallNotADeadlock() {
        ChildResult run = ChildJvm.run(ClassInitDeadlock.class).agentOptions("stall-threshold=1s").args("slow").exec()
                .assertCleanExit();
        assertTrue(run.stdout.startsWith("waiting\n") && run.stdout.endsWith("done\n"), run.stdout);
        Report report = run.report();
        assertEquals(0, report.deadlocks().size(), report.deadlocks().toPrettyString());
        assertTrue(report.stat("classInitThreadDumps") >= 1, run.stderr);
        JsonNode stall = report.singleHazard("class_init_stall");
        String json = stall.toPrettyString();
        assertEquals(ClassInitDeadlock.class.getName() + "$Slow", stall.get("class").asText(), json);
        assertEquals("init-slow", stall.get("initializer").get("name").asText(), json);
        assertEquals("TIMED_WAITING", stall.get("initializer").get("state").asText(), json);
        assertTrue(stall.get("waitingOn").asText().startsWith("nothing (in java.lang.Thread.sleep"), json);
        assertEquals(1, stall.get("waiters").size(), json);
        assertEquals("init-a", stall.get("waiters").get(0).get("name").asText(), json);
        assertEquals(List.of("init-a", "init-slow"), threadNames(stall), json);
    }

    /**
     * A static initializer that waits for a task of a pool, while the task waits for that class's initialization:
     * the initializer is parked on a future nobody owns, the task RUNNABLE; no cycle the JVM can see. Reported as
     * a stall in a static initializer, the task as its waiter.
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void aStaticInitializerWaitingForATaskThatNeedsItsClassIsStalled(Stop stop) {
        Running run = start(ClassInitDeadlock.class, "task");
        run.awaitStdoutLine("waiting", FIND_SECONDS);
        String tasked = ClassInitDeadlock.class.getName() + "$Tasked";
        run.awaitStderr("[lockwatch] HAZARD #1 class_init_stall: \"init-tasked\" #", FIND_SECONDS);
        ChildResult result = endCleanly(run, stop);
        assertTrue(result.stderr.contains(" runs the static initializer of " + tasked
                + " and waits on java.util.concurrent.FutureTask@"), result.stderr);
        JsonNode stall = result.report().singleHazard("class_init_stall");
        String json = stall.toPrettyString();
        assertEquals(tasked, stall.get("class").asText(), json);
        assertEquals(List.of("initialization of " + tasked), strings(stall.get("locks")), json);
        JsonNode initializer = stall.get("initializer");
        assertEquals("WAITING", initializer.get("state").asText(), json);
        assertTrue(mentions(initializer.get("stack"), ClassInitDeadlock.class), json);
        assertTrue(initializer.get("waitingMillis").asLong() >= 2000, json);
        JsonNode worker = stall.get("waiters").get(0);
        assertEquals("pool-worker", worker.get("name").asText(), json);
        assertEquals("RUNNABLE", worker.get("state").asText(), json);
        assertEquals(1, stall.get("waiters").size(), json);
    }

    // ---- deadlocks with virtual threads, which the JVM's own search does not see ----

    /** A deadlock of {@link VirtualDeadlock}'s: its mode, its threads (sorted) and the classes of the locks they wait for. */
    enum VirtualCycle {
        MONITORS("monitors", List.of("v-alpha", "v-beta"), "java.lang.Object", "java.lang.Object"),
        LOCKS("locks", List.of("v-alpha", "v-beta"), "java.util.concurrent.locks.ReentrantLock$NonfairSync",
                "java.util.concurrent.locks.ReentrantLock$NonfairSync"),
        WITH_A_PLATFORM_THREAD("mixed", List.of("p-beta", "v-alpha"), "java.lang.Object",
                "java.util.concurrent.locks.ReentrantLock$NonfairSync"),
        THROUGH_A_READ_LOCK("read-write", List.of("v-reader", "v-writer"), "java.lang.Object",
                "java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync");

        final String mode;
        final List<String> threads;
        final String[] lockClasses;

        VirtualCycle(String mode, List<String> threads, String... lockClasses) {
            this.mode = mode;
            this.threads = threads;
            this.lockClasses = lockClasses;
        }
    }

    @ParameterizedTest
    @EnumSource(VirtualCycle.class)
    void deadlockWithVirtualThreadsOnTerm(VirtualCycle cycle) {
        virtualDeadlock(cycle, Stop.TERM);
    }

    @ParameterizedTest
    @EnumSource(VirtualCycle.class)
    void deadlockWithVirtualThreadsOnKill(VirtualCycle cycle) {
        virtualDeadlock(cycle, Stop.KILL);
    }

    private static void virtualDeadlock(VirtualCycle expected, Stop stop) {
        assumeVirtualThreads();
        Running run = start(VirtualDeadlock.class, expected.mode);
        run.awaitStderr("[lockwatch] DEADLOCK #1", FIND_SECONDS);
        Report report = endAndRead(run, stop);
        JsonNode deadlock = report.singleDeadlock();
        assertEquals(expected.threads, threadNames(deadlock));
        assertCycle(deadlock, VirtualDeadlock.class, expected.lockClasses);
        assertEquals(0, report.hazards().size(), report.hazards().toPrettyString());
        assertEquals(2, report.stat("threadsDeadlockedNow"));
    }

    /**
     * 200,000 short-lived virtual threads that each took a monitor, far more than 65,536 between two checks
     * (every 500 ms here), and then a deadlock of two more: lockwatch watches at most 65,536 threads at once, and the threads that ended make
     * room for the next ones at once. Until they did (up to the thirty-fifth session), the ended threads filled
     * the registry until the detector's next check, every thread started meanwhile was never watched (51,086 in
     * a run of this test then), and this deadlock was never found.
     */
    @Test
    @ResourceLock(ThreeAtATime.MACHINE) // alone: 200,000 virtual threads
    void aFloodOfShortLivedVirtualThreadsLeavesRoomToWatchTheNextOnes() {
        assumeVirtualThreads();
        Running run = start(VirtualDeadlock.class, "monitors", "200000");
        run.awaitStdoutLine("flooded", FIND_SECONDS);
        run.awaitStderr("[lockwatch] DEADLOCK #1", FIND_SECONDS);
        Report report = endAndRead(run, Stop.TERM);
        assertEquals(List.of("v-alpha", "v-beta"), threadNames(report.singleDeadlock()));
        assertEquals(0, report.stat("threadsUnwatched"));
    }

    /**
     * Virtual threads in an owner-less wait (on a monitor, a condition, a latch) while holding what another
     * virtual thread is blocked on: three stalls, each naming the pair, and no deadlock.
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void virtualThreadsWaitingWhileHoldingWhatOthersNeedAreStalls(Stop stop) {
        assumeVirtualThreadsLeaveTheirCarrierInMonitors();
        Report report = virtualWaitsStalls("stalls", 3, stop);
        Map<String, JsonNode> byWaiter = new TreeMap<>();
        for (JsonNode hazard : report.hazards()) {
            assertEquals("stall", hazard.get("kind").asText(), hazard.toPrettyString());
            byWaiter.put(hazard.get("waiter").get("name").asText(), hazard);
        }
        assertEquals(List.of("v-latched", "v-notified", "v-signalled"), new ArrayList<>(byWaiter.keySet()));
        assertVirtualStall(byWaiter.get("v-notified"), "v-blocked-1", "java.util.concurrent.locks.ReentrantLock$NonfairSync", "nothing (in ");
        assertVirtualStall(byWaiter.get("v-signalled"), "v-blocked-2", "java.lang.Object",
                "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject@");
        assertVirtualStall(byWaiter.get("v-latched"), "v-blocked-3", "java.lang.Object", "java.util.concurrent.CountDownLatch$Sync@");
    }

    /** Runs {@link VirtualWaits} in {@code mode} for 2.5 thresholds, then stops it: no hang found. */
    private static ChildResult virtualWaitsWithoutHang(String mode) {
        assumeVirtualThreadsLeaveTheirCarrierInMonitors();
        Running run = start(VirtualWaits.class, mode, "5000");
        run.awaitStdoutLine("waited", FIND_SECONDS);
        ChildResult result = Stop.TERM.end(run);
        assertFalse(result.stderr.contains("HAZARD") || result.stderr.contains("[lockwatch] DEADLOCK #"), result.stderr);
        result.report().assertNoHangFindings();
        return result;
    }

    /** Runs {@link VirtualWaits} in {@code mode} until its {@code stalls}th stall is reported; no deadlock. */
    private static Report virtualWaitsStalls(String mode, int stalls, Stop stop) {
        assumeVirtualThreads();
        Running run = start(VirtualWaits.class, mode, "600000");
        run.awaitStderr("[lockwatch] HAZARD #" + stalls + " stall", FIND_SECONDS);
        Report report = endAndRead(run, stop);
        assertEquals(0, report.deadlocks().size(), report.deadlocks().toPrettyString());
        return report;
    }

    /** The waiter waits on {@code waitedOn} past the threshold, holding the lock of {@code lockClass} that {@code blocked} wants. */
    private static void assertVirtualStall(JsonNode stall, String blocked, String lockClass, String waitedOn) {
        String json = stall.toPrettyString();
        String waiter = stall.get("waiter").get("name").asText();
        List<String> names = new ArrayList<>(List.of(blocked, waiter));
        names.sort(null);
        assertEquals(names, threadNames(stall), json);
        assertTrue(stall.get("waitingOn").asText().startsWith(waitedOn), json);
        assertTrue(stall.get("waiter").get("waitingMillis").asLong() >= 2000, "waited past the threshold: " + json);
        JsonNode lock = stall.get("heldLocks").get(0);
        assertEquals(lockClass, lock.get("class").asText(), json);
        assertTrue(lock.get("at").asText().startsWith(VirtualWaits.class.getName() + ".lambda$"), json);
        assertEquals(1, stall.get("blocked").size(), json);
        JsonNode blockedThread = stall.get("blocked").get(0);
        assertEquals(lock.get("lock").asText(), blockedThread.get("waitingFor").get("lock").asText(), json);
        assertEquals(waiter, blockedThread.get("owner").get("name").asText(), json);
        assertTrue(mentions(stall.get("waiter").get("stack"), VirtualWaits.class), json);
        assertTrue(mentions(blockedThread.get("stack"), VirtualWaits.class), json);
    }

    /** A platform thread waits on a latch holding a monitor that only a virtual thread is blocked on: a stall. */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void aPlatformThreadStallingOnlyVirtualThreadsIsAStall(Stop stop) {
        JsonNode stall = virtualWaitsStalls("platform-waiter", 1, stop).singleHazard("stall");
        assertEquals("p-latched", stall.get("waiter").get("name").asText(), stall.toPrettyString());
        assertVirtualStall(stall, "v-blocked", "java.lang.Object", "java.util.concurrent.CountDownLatch$Sync@");
    }

    /**
     * A virtual thread holding a read lock waits on a latch, and another, holding nothing, wants the write lock:
     * a stall. Until the thirty-fifth session a thread holding nothing was not on lockwatch's stacks while it
     * waited for a lock other than a {@code ReentrantLock} (pushed only once held), and nothing was reported.
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void aVirtualThreadHoldingNothingThatWantsAWriteLockIsStalled(Stop stop) {
        JsonNode stall = virtualWaitsStalls("write-lock", 1, stop).singleHazard("stall");
        String json = stall.toPrettyString();
        assertEquals("v-reader", stall.get("waiter").get("name").asText(), json);
        assertEquals(List.of("v-reader", "v-writer"), threadNames(stall), json);
        assertTrue(stall.get("waitingOn").asText().startsWith("java.util.concurrent.CountDownLatch$Sync@"), json);
        JsonNode lock = stall.get("heldLocks").get(0);
        assertEquals("java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync", lock.get("class").asText(), json);
        JsonNode writer = stall.get("blocked").get(0);
        assertEquals(lock.get("lock").asText(), writer.get("waitingFor").get("lock").asText(), json);
        assertEquals(0, writer.get("holds").size(), json);
        assertTrue(mentions(writer.get("stack"), VirtualWaits.class), json);
    }

    /**
     * The same, with a platform thread blocked on the monitor too: the JVM's snapshots report the stall, and the
     * virtual thread is in it as well. Until the thirty-fifth session the report named the platform thread only.
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void aStallBlockingPlatformAndVirtualThreadsNamesThemAll(Stop stop) {
        assertMixedStall(virtualWaitsStalls("mixed-blocked", 1, stop).singleHazard("stall"));
    }

    /**
     * The same, with a virtual thread blocked behind the virtual one (on a monitor that one holds): the stall names
     * it too, waiting for the virtual one. Until the fiftieth session the report left it out.
     */
    @Test
    void aStallNamesTheVirtualThreadsBehindItsVirtualBlockedOnes() {
        JsonNode stall = virtualWaitsStalls("mixed-blocked-behind", 1, Stop.KILL).singleHazard("stall");
        String json = stall.toPrettyString();
        assertEquals("p-latched", stall.get("waiter").get("name").asText(), json);
        assertEquals(List.of("p-blocked", "p-latched", "v-behind", "v-blocked"), threadNames(stall), json);
        Map<String, JsonNode> blocked = new TreeMap<>();
        for (JsonNode b : stall.get("blocked")) blocked.put(b.get("name").asText(), b);
        JsonNode behind = blocked.get("v-behind");
        assertEquals("v-blocked", behind.get("owner").get("name").asText(), json);
        assertEquals(blocked.get("v-blocked").get("holds").get(0).get("lock").asText(),
                behind.get("waitingFor").get("lock").asText(), json);
    }

    /**
     * The same, with the platform thread blocked in code lockwatch does not instrument: lockwatch's stacks show
     * only the virtual thread blocked, and the JVM's snapshots only the platform one. One stall with both; until
     * the thirty-fifth session each side reported its own, two stalls for one wait.
     */
    @Test
    void aStallBlockingAPlatformThreadInUninstrumentedCodeIsReportedOnce() {
        assumeVirtualThreads();
        Running run = ChildJvm.run(VirtualWaits.class)
                .agentOptions(THRESHOLD + ",exclude=" + VirtualWaits.class.getName() + "$Elsewhere")
                .args("mixed-blocked-elsewhere", "5000").start();
        run.awaitStderr("[lockwatch] HAZARD #1 stall", FIND_SECONDS);
        run.awaitStdoutLine("waited", FIND_SECONDS); // see if a second report comes meanwhile
        Report report = endAndRead(run, Stop.TERM);
        assertEquals(0, report.deadlocks().size(), report.deadlocks().toPrettyString());
        assertMixedStall(report.singleHazard("stall"));
    }

    private static void assertMixedStall(JsonNode stall) {
        String json = stall.toPrettyString();
        assertEquals("p-latched", stall.get("waiter").get("name").asText(), json);
        assertEquals(List.of("p-blocked", "p-latched", "v-blocked"), threadNames(stall), json);
        JsonNode lock = stall.get("heldLocks").get(0);
        assertEquals(1, stall.get("heldLocks").size(), json);
        assertEquals("java.lang.Object", lock.get("class").asText(), json);
        for (JsonNode blocked : stall.get("blocked")) {
            assertEquals(lock.get("lock").asText(), blocked.get("waitingFor").get("lock").asText(), json);
            assertEquals("p-latched", blocked.get("owner").get("name").asText(), json);
            assertTrue(mentions(blocked.get("stack"), VirtualWaits.class), json);
        }
    }

    /**
     * A virtual thread in {@code Object.wait} gives the monitor up while lockwatch's stack still has it; a thread
     * blocked on that monitor waits for whoever holds it now (here a running thread), not for the waiter: no stall.
     * What there is, since the forty-ninth session, is the running holder's long hold (it loops for 5 s with the
     * monitor held), which names the holder, not the waiter.
     */
    @Test
    void aMonitorGivenUpByObjectWaitIsNotHeldByTheWaiter() {
        assumeVirtualThreadsLeaveTheirCarrierInMonitors();
        Running run = start(VirtualWaits.class, "busy-holder", "5000");
        run.awaitStdoutLine("waited", FIND_SECONDS);
        ChildResult result = Stop.TERM.end(run);
        assertFalse(result.stderr.contains("stall") || result.stderr.contains("[lockwatch] DEADLOCK #"), result.stderr);
        Report report = result.report();
        assertEquals(0, report.deadlocks().size(), report.deadlocks().toPrettyString());
        JsonNode hold = report.singleHazard("long_hold");
        String json = hold.toPrettyString();
        assertEquals("v-busy", hold.get("holder").get("name").asText(), json);
        assertEquals(List.of("v-blocked", "v-busy"), threadNames(hold), json);
    }

    /**
     * Virtual threads that join others, or get a task's result, while those wait long holding only what nobody wants:
     * they wait for work to finish, which is no hang, however long. Until the forty-sixth session a joined thread
     * holding a lock was reported as a stall blocking its joiner.
     */
    @Test
    void virtualThreadsJoiningOrGettingResultsOfLongWorkAreNoStall() {
        virtualWaitsWithoutHang("long-joins");
    }

    /**
     * Locks held across short sleeps again and again, their contenders starved by the pace: no single wait is long, so no
     * stall. On JDK 21 and later lockwatch's stacks see every thread, and took a holder seen asleep under its lock at
     * each check for one long wait: a CI run of the forty-sixth session reported such a stall in DashboardsLiveTest's
     * program (the JVM's snapshots, which count a thread's waits, did not). Platform threads' waits are timed by those
     * snapshots since. Virtual threads' waits, which no snapshot counts, are told apart by lockwatch's count of their
     * parks; until the forty-eighth session a virtual holder seen asleep at every check was one long wait, a stall.
     */
    @ParameterizedTest
    @ValueSource(strings = {"platform", "virtual"})
    void locksHeldAcrossShortSleepsAgainAndAgainAreNoStall(String threads) {
        assertNoStallWhenHoldersPauseBy("sleep", threads);
    }

    /**
     * The same with short waits on a monitor ({@code Object.wait(25)}) under the lock. On JDK 24 and later a virtual
     * thread's monitor wait unmounts it without a park; lockwatch counts its unmounts too. Until the forty-ninth
     * session such a virtual holder, seen in {@code Object.wait} at every check, was one long wait, a stall. On JDK 21
     * to 23 the wait keeps the carrier and neither parks nor unmounts: lockwatch counts it from {@code Blocker.begin},
     * which the wait calls first (on JDK 21 it was a stall until the fifty-fifth session).
     */
    @ParameterizedTest
    @ValueSource(strings = {"platform", "virtual"})
    void locksHeldAcrossShortMonitorWaitsAgainAndAgainAreNoStall(String threads) {
        assertNoStallWhenHoldersPauseBy("wait", threads);
    }

    private static void assertNoStallWhenHoldersPauseBy(String pause, String threads) {
        if (threads.equals("virtual")) assumeVirtualThreads();
        ChildResult result = ChildJvm.run(SleepingHolders.class).agentOptions("stall-threshold=1s")
                .args("10", "6000", threads, pause).exec().assertCleanExit();
        assertEquals("done\n", result.stdout);
        assertFalse(result.stderr.contains("HAZARD"), result.stderr);
        Report report = result.report();
        assertEquals(0, report.hazards().size(), report.hazards().toPrettyString());
        assertTrue(report.stat("hangChecks") >= 15, "hang checks: " + report.stat("hangChecks"));
    }

    /** The same waits with nobody blocked on what the waiters hold: nothing to report, however long. */
    @Test
    void virtualThreadsWaitingLongHoldingNothingOthersNeed() {
        ChildResult result = virtualWaitsWithoutHang("quiet");
        assertFalse(result.stderr.contains("DEADLOCK"), result.stderr); // no inversion either, in this mode
        Report report = result.report();
        assertEquals(0, report.stat("threadsStuckNow"));
        assertEquals(0, report.stat("threadsDeadlockedNow"));
        assertTrue(report.stat("hangChecks") >= 6, "hang checks: " + report.stat("hangChecks"));
    }

    /**
     * Virtual and platform threads blocked and parked on each other's locks all the time, in one order: the
     * detector reads their stacks while they change, every 100 ms for 4 s, and finds no hang.
     */
    @Test
    @ResourceLock(ThreeAtATime.MACHINE) // alone: busy carriers, and a 400 ms threshold
    void virtualThreadsUnderContentionAreNoHang() {
        assumeVirtualThreadsLeaveTheirCarrierInMonitors();
        ChildResult result = ChildJvm.run(VirtualThreadsUnderContention.class).agentOptions("stall-threshold=400ms")
                .args("4000").exec().assertCleanExit();
        assertEquals("done true\n", result.stdout);
        Report report = result.report().assertNoHangFindings().assertNoPotentialDeadlocks();
        assertEquals(0, report.stat("internalErrors"), result.stderr);
        assertEquals(0, report.stat("threadsDeadlockedNow"));
        assertTrue(report.stat("hangChecks") >= 20, "hang checks: " + report.stat("hangChecks"));
    }

    private static void assumeVirtualThreads() {
        assumeTrue(ChildJvm.childFeatureVersion() >= 21, "JDK " + ChildJvm.childFeatureVersion() + " has no virtual threads");
    }

    /**
     * For the programs that let many virtual threads block on monitors and wait in {@code Object.wait}: before JDK 24
     * (JEP 491) each such thread keeps its carrier, and on two cores these programs hang without any agent
     * ({@code VirtualWaits}, {@code VirtualThreadsUnderContention}, run alone on JDK 21).
     */
    private static void assumeVirtualThreadsLeaveTheirCarrierInMonitors() {
        assumeTrue(ChildJvm.childFeatureVersion() >= 24, "on JDK " + ChildJvm.childFeatureVersion()
                + " a virtual thread blocked on a monitor or in Object.wait keeps its carrier: the program hangs by itself");
    }

    /**
     * Each thread of the cycle waits for a lock of the expected class, held (per its holds) by the thread
     * named as its owner, which is the next thread of the cycle; each stack shows the program.
     */
    private static void assertCycle(JsonNode deadlock, Class<?> program, String... lockClasses) {
        JsonNode cycle = deadlock.get("cycle");
        assertEquals(lockClasses.length, cycle.size(), deadlock.toPrettyString());
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < cycle.size(); i++) {
            JsonNode thread = cycle.get(i);
            JsonNode next = cycle.get((i + 1) % cycle.size());
            JsonNode wanted = thread.get("waitingFor");
            classes.add(wanted.get("class").asText());
            assertEquals(next.get("name").asText(), thread.get("owner").get("name").asText(), deadlock.toPrettyString());
            assertTrue(holds(next, wanted.get("lock").asText()), "the owner holds the wanted lock: " + deadlock.toPrettyString());
            assertTrue(mentions(thread.get("stack"), program), "stack shows the program: " + thread);
        }
        List<String> expected = new ArrayList<>(List.of(lockClasses));
        classes.sort(null);
        expected.sort(null);
        assertEquals(expected, classes, deadlock.toPrettyString());
    }

    private static boolean holds(JsonNode thread, String lock) {
        for (JsonNode held : thread.get("holds")) {
            if (held.get("lock").asText().equals(lock)) return true;
        }
        return false;
    }

    // ---- stalls on owner-less waits ----

    @ParameterizedTest
    @EnumSource(Stop.class)
    void latchStall(Stop stop) {
        Running run = start(LatchStall.class);
        run.awaitStderr("[lockwatch] HAZARD #1 stall", FIND_SECONDS);
        JsonNode stall = endAndRead(run, stop).singleHazard("stall");
        assertStall(stall, LatchStall.class, "java.lang.Object", "java.util.concurrent.CountDownLatch$Sync@");
    }

    /**
     * "signaller" is blocked on the stalled thread's lock while it holds one that "behind" is blocked on: "behind"
     * waits on the stall too, and is named in it (only the stalled thread's own waiters were, until then).
     */
    @Test
    void aStallNamesTheThreadsBlockedBehindItsWaiters() {
        Running run = start(LatchStall.class, "chain");
        run.awaitStderr("[lockwatch] HAZARD #1 stall: thread \"waiter\"", FIND_SECONDS);
        ChildResult result = endCleanly(run, Stop.TERM);
        assertTrue(result.stderr.contains(", which \"signaller\" is blocked on, and 1 more thread behind them\n"), result.stderr);
        JsonNode stall = result.report().singleHazard("stall");
        String json = stall.toPrettyString();
        assertEquals(List.of("waiter", "signaller", "behind"), strings(stall.get("threads")), json);
        assertEquals(1, stall.get("heldLocks").size(), json);
        String lock = stall.get("heldLocks").get(0).get("lock").asText();
        JsonNode signaller = stall.get("blocked").get(0);
        JsonNode behind = stall.get("blocked").get(1);
        assertEquals(lock, signaller.get("waitingFor").get("lock").asText(), json);
        assertEquals("waiter", signaller.get("owner").get("name").asText(), json);
        assertEquals("behind", behind.get("name").asText(), json);
        assertEquals("signaller", behind.get("owner").get("name").asText(), json);
        assertEquals(signaller.get("holds").get(0).get("lock").asText(), behind.get("waitingFor").get("lock").asText(), json);
        // A wait of its own, not the stalled thread's: "behind" blocks a little after "waiter" starts to wait, how
        // much later depending on the machine (1,502 ms against the waiter's 2,009 once, three child JVMs at a time).
        assertTrue(behind.get("waitingMillis").asLong() > 0, json);
        assertTrue(mentions(behind.get("stack"), LatchStall.class), json);
    }

    // ---- locks held by running threads ----

    /**
     * A lock held across a call that never returns ({@code ServerSocket.accept()}, as a remote call without a
     * timeout): the holder is RUNNABLE in native code, so neither a deadlock nor a stall, and lockwatch said nothing
     * while three threads piled up behind it, one of them through a lock of another.
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void aLockHeldAcrossABlockingCallIsALongHold(Stop stop) {
        Running run = start(LongHold.class);
        run.awaitStdoutLine("started", FIND_SECONDS);
        run.awaitStderr("[lockwatch] HAZARD #1 long_hold: thread \"io-holder\" has held java.lang.Object@", FIND_SECONDS);
        JsonNode hold = endAndRead(run, stop).singleHazard("long_hold");
        String json = hold.toPrettyString();
        assertEquals(List.of("behind", "io-holder", "request-1", "request-2"), sortedStrings(hold.get("threads")), json);
        assertEquals("native", hold.get("running").asText(), json);
        assertTrue(hold.get("heldMillis").asLong() >= 2000, json);
        assertTrue(hold.get("holderCpuMillis").asLong() < 500, "a thread in accept() uses no CPU: " + json);
        JsonNode holder = hold.get("holder");
        assertEquals("io-holder", holder.get("name").asText(), json);
        assertEquals("RUNNABLE", holder.get("state").asText(), json);
        assertTrue(mentions(holder.get("stack"), LongHold.class), json);
        assertEquals(1, hold.get("heldLocks").size(), json);
        String cache = hold.get("heldLocks").get(0).get("lock").asText();
        assertTrue(cache.startsWith("java.lang.Object@"), json);
        assertEquals(List.of(cache), strings(hold.get("locks")), json);
        Map<String, JsonNode> blocked = new TreeMap<>();
        for (JsonNode b : hold.get("blocked")) blocked.put(b.get("name").asText(), b);
        assertEquals(List.of("behind", "request-1", "request-2"), new ArrayList<>(blocked.keySet()), json);
        for (String request : List.of("request-1", "request-2")) {
            assertEquals(cache, blocked.get(request).get("waitingFor").get("lock").asText(), json);
            assertEquals("io-holder", blocked.get(request).get("owner").get("name").asText(), json);
        }
        assertEquals("request-2", blocked.get("behind").get("owner").get("name").asText(), json);
        assertEquals(blocked.get("request-2").get("holds").get(0).get("lock").asText(),
                blocked.get("behind").get("waitingFor").get("lock").asText(), json);
    }

    /** The same with a busy loop in the locked section: Java code, the hold's time spent on the CPU. */
    @Test
    @ResourceLock(ThreeAtATime.MACHINE) // alone: a core kept busy
    void aLockHeldByABusyLoopIsALongHold() {
        assertSpentOnTheCpu(busyHold("busy"));
    }

    private static final String REENTRANT_LOCK = "java.util.concurrent.locks.ReentrantLock$NonfairSync@";

    /**
     * The same with virtual threads, which the JVM's snapshots leave out: lockwatch's stacks find the waiter and the
     * running holder, of a {@code ReentrantLock} and of a monitor. The JVM does not measure a virtual thread's CPU time.
     * Until the forty-ninth session nothing was reported.
     */
    @ParameterizedTest
    @ValueSource(strings = {"busy-virtual", "busy-virtual-monitor"})
    @ResourceLock(ThreeAtATime.MACHINE) // alone: a core kept busy
    void aLockHeldByABusyVirtualThreadIsALongHold(String mode) {
        assumeVirtualThreads();
        JsonNode hold = busyHold(mode);
        String json = hold.toPrettyString();
        assertTrue(hold.get("holderCpuMillis").isNull(), json);
        JsonNode holder = hold.get("holder");
        assertEquals("RUNNABLE", holder.get("state").asText(), json);
        assertEquals(hold.get("heldLocks").get(0).get("lock").asText(), holder.get("holds").get(0).get("lock").asText(),
                json);
    }

    /**
     * A virtual thread that holds a lock and is ready to run, but gets no carrier: every carrier of the virtual thread
     * scheduler is busy (here the only one, with a virtual thread that computes and never blocks). It is RUNNABLE at
     * every check, unparked ({@code no-carrier}) or handed the monitor it was blocked on ({@code no-carrier-monitor},
     * JDK 24 and later: its stack then ends at its own {@code synchronized} line). Until the fifty-first session the
     * long hold said it ran Java code, which sent the reader to the holder's code rather than to what keeps the
     * carriers busy; until the fifty-second, the monitor's case still did, and listed the monitor among the locks
     * held, with "late", blocked on it after the holder, behind them: the monitor is free, and the holder's turn at it
     * comes first. Since the fifty-second session the finding also shows what the carriers run: "hog".
     */
    @ParameterizedTest
    @ValueSource(strings = {"no-carrier", "no-carrier-monitor"})
    @ResourceLock(ThreeAtATime.MACHINE) // alone: a core kept busy
    void aLockHeldByAVirtualThreadThatGetsNoCarrierIsALongHoldThatSaysSo(String mode) {
        assumeVirtualThreads();
        boolean monitor = mode.endsWith("-monitor");
        assumeTrue(!monitor || ChildJvm.childFeatureVersion() >= 24, "a virtual thread blocked on a monitor unmounts");
        ChildResult result = endCleanly(virtualHolderOnOneCarrier(mode), Stop.TERM);
        String line = result.stderr.substring(result.stderr.indexOf("HAZARD #1 long_hold"));
        line = line.substring(0, line.indexOf('\n'));
        assertFalse(line.contains("java.lang.Object@"), "only the lock is held, not the monitor: " + line);
        assertTrue(line.contains(" while ready to run without a carrier thread, and 1 thread is blocked behind it"), line);
        assertTrue(result.stderr.contains("[lockwatch]   on the carriers now: \"hog\" on ForkJoinPool-"), result.stderr);
        JsonNode hold = result.report().singleHazard("long_hold");
        String json = hold.toPrettyString();
        assertEquals("no_carrier", hold.get("running").asText(), json);
        assertEquals(List.of("holder", "waiter"), threadNames(hold), json);
        JsonNode holder = hold.get("holder");
        assertEquals("RUNNABLE", holder.get("state").asText(), json);
        assertEquals(1, holder.get("holds").size(), "the lock, not the monitor it waits to enter: " + json);
        assertTrue(holder.get("holds").get(0).get("lock").asText().startsWith(REENTRANT_LOCK), json);
        JsonNode carriers = hold.get("carriers");
        assertEquals(1, carriers.size(), "the only carrier, and who runs on it: " + json);
        assertEquals("hog", carriers.get(0).get("name").asText(), json);
        assertTrue(carriers.get(0).get("carrier").asText().startsWith("ForkJoinPool-"), json);
        assertTrue(carriers.get(0).get("stack").get(0).asText().startsWith(LongHold.class.getName() + ".spin("), json);
    }

    /**
     * A virtual holder that yields in turn with nine other virtual threads on one carrier is unmounted and ready most
     * of the time, so most checks catch it so, two in a row too; yet it runs between them, and its unmounts between
     * them are counted: it runs Java code. Read from the JDK's state at one check, or without the count, it would
     * have been said to get no carrier in most runs (6 of 8 tried in the fifty-second session).
     */
    @Test
    @ResourceLock(ThreeAtATime.MACHINE) // alone: a core kept busy
    void aLockHeldByAVirtualThreadThatYieldsAmongOthersIsALongHoldInJavaCode() {
        assumeVirtualThreads();
        JsonNode hold = endCleanly(virtualHolderOnOneCarrier("yielding"), Stop.TERM).report().singleHazard("long_hold");
        assertEquals("java", hold.get("running").asText(), hold.toPrettyString());
    }

    /** {@code LongHold} in {@code mode} on one carrier, once it has reported the virtual "holder"'s long hold. */
    private static Running virtualHolderOnOneCarrier(String mode) {
        Running run = ChildJvm.run(LongHold.class).agentOptions(THRESHOLD)
                .jvmArgs("-Djdk.virtualThreadScheduler.parallelism=1").args(mode).start();
        run.awaitStdoutLine("started", FIND_SECONDS);
        run.awaitStderr("[lockwatch] HAZARD #1 long_hold: thread \"holder\" has held " + REENTRANT_LOCK, FIND_SECONDS);
        return run;
    }

    /**
     * A platform thread holding a lock in a busy loop while only virtual threads wait for it: the JVM's snapshots show
     * no waiter, and lockwatch's stacks had no running platform holder. Until the fiftieth session nothing was reported.
     * The JVM measures the platform holder's CPU time.
     */
    @ParameterizedTest
    @ValueSource(strings = {"busy-virtual-waiter", "busy-virtual-waiter-monitor"})
    @ResourceLock(ThreeAtATime.MACHINE) // alone: a core kept busy
    void aLockHeldByABusyPlatformThreadThatOnlyVirtualThreadsWaitForIsALongHold(String mode) {
        assumeVirtualThreads();
        assertSpentOnTheCpu(busyHold(mode));
    }

    /**
     * The same lock waited for by a platform thread and a virtual one: the JVM's snapshots find the hold, and the
     * virtual waiter is in it with the platform one. Until the fiftieth session the finding left it out.
     */
    @Test
    @ResourceLock(ThreeAtATime.MACHINE) // alone: a core kept busy
    void theVirtualThreadsWaitingForAPlatformThreadsLongHoldAreInIt() {
        assumeVirtualThreads();
        Running run = start(LongHold.class, "busy-two-waiters");
        run.awaitStdoutLine("started", FIND_SECONDS);
        run.awaitStderr("[lockwatch] HAZARD #1 long_hold: thread \"busy-holder\" has held " + REENTRANT_LOCK, FIND_SECONDS);
        Report report = endAndRead(run, Stop.TERM);
        JsonNode hold = report.singleHazard("long_hold");
        String json = hold.toPrettyString();
        assertEquals(2, report.stat("threadsStuckNow"), "both waiters, at the check at exit: " + json);
        assertEquals(List.of("busy-holder", "virtual-waiter", "waiter"), threadNames(hold), json);
        String lock = hold.get("heldLocks").get(0).get("lock").asText();
        assertEquals(List.of(lock), strings(hold.get("locks")), json);
        assertEquals(2, hold.get("blocked").size(), json);
        for (JsonNode waiter : hold.get("blocked")) {
            assertEquals("busy-holder", waiter.get("owner").get("name").asText(), json);
            assertEquals(lock, waiter.get("waitingFor").get("lock").asText(), json);
        }
        assertSpentOnTheCpu(hold);
    }

    private static void assertSpentOnTheCpu(JsonNode hold) {
        assertTrue(hold.get("holderCpuMillis").asLong() > hold.get("heldMillis").asLong() / 4,
                "a spinning thread runs most of the time: " + hold.toPrettyString());
    }

    /** The single long hold of {@code LongHold}'s "busy-holder" in this mode, the waiter's checked. */
    private JsonNode busyHold(String mode) {
        String lockPrefix = mode.endsWith("-monitor") ? "java.lang.Object@" : REENTRANT_LOCK;
        Running run = start(LongHold.class, mode);
        run.awaitStdoutLine("started", FIND_SECONDS);
        run.awaitStderr("[lockwatch] HAZARD #1 long_hold: thread \"busy-holder\" has held " + lockPrefix, FIND_SECONDS);
        JsonNode hold = endAndRead(run, Stop.KILL).singleHazard("long_hold");
        String json = hold.toPrettyString();
        assertEquals(List.of("busy-holder", "waiter"), threadNames(hold), json);
        assertEquals("java", hold.get("running").asText(), json);
        assertTrue(hold.get("heldMillis").asLong() >= 2000, json);
        assertTrue(mentions(hold.get("holder").get("stack"), LongHold.class), json);
        JsonNode waiter = hold.get("blocked").get(0);
        assertEquals("busy-holder", waiter.get("owner").get("name").asText(), json);
        assertEquals(hold.get("heldLocks").get(0).get("lock").asText(), waiter.get("waitingFor").get("lock").asText(), json);
        return hold;
    }

    /**
     * The frozen thread pool: both workers of a fixed pool wait on tasks queued behind them in the same pool.
     * No lock is held, so this was neither a deadlock nor a stall, and lockwatch said nothing.
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void aPoolWhoseWorkersAllWaitOnTasksQueuedInItIsStarved(Stop stop) {
        Running run = frozenPool("", "all 2 workers of");
        JsonNode starved = endAndRead(run, stop).singleHazard("pool_starvation");
        String json = starved.toPrettyString();
        JsonNode pool = starved.get("pool");
        assertTrue(pool.get("name").asText().startsWith("java.util.concurrent.ThreadPoolExecutor@"), json);
        assertEquals(2, pool.get("corePoolSize").asInt(), json);
        assertEquals(2, pool.get("maximumPoolSize").asInt(), json);
        assertEquals(2, pool.get("queuedTasks").asInt(), json);
        assertEquals(2, starved.get("workers").size(), json);
        for (JsonNode worker : starved.get("workers")) {
            assertTrue(worker.get("waitingOnTask").asText().startsWith("java.util.concurrent.FutureTask@"), json);
            JsonNode thread = worker.get("thread");
            assertTrue(thread.get("name").asText().startsWith("pool-1-thread-"), json);
            assertEquals(worker.get("waitingOnTask").asText(), thread.get("waitingFor").get("lock").asText(), json);
            assertTrue(thread.get("waitingMillis").asLong() >= 2000, json);
            assertTrue(mentions(thread.get("stack"), StarvedPool.class), json);
        }
        assertEquals(0, starved.get("locks").size(), json);
    }

    /** A single-thread executor whose task waits on what it submitted to its own executor: one worker, frozen. */
    @Test
    void aSingleThreadExecutorWhoseTaskWaitsOnItsOwnSubmissionIsStarved() {
        Running run = frozenPool("single", "the only worker of");
        JsonNode starved = endAndRead(run, Stop.KILL).singleHazard("pool_starvation");
        assertEquals(1, starved.get("pool").get("maximumPoolSize").asInt(), starved.toPrettyString());
        assertEquals(1, starved.get("workers").size(), starved.toPrettyString());
    }

    /** The same in a scheduled executor: its tasks are ScheduledFutureTasks, in the JDK's delayed work queue. */
    @Test
    void aScheduledExecutorWhoseTaskWaitsOnItsOwnSubmissionIsStarved() {
        Running run = frozenPool("scheduled", "the only worker of", "java.util.concurrent.ScheduledThreadPoolExecutor");
        JsonNode starved = endAndRead(run, Stop.KILL).singleHazard("pool_starvation");
        String json = starved.toPrettyString();
        assertEquals(1, starved.get("workers").size(), json);
        JsonNode worker = starved.get("workers").get(0);
        String task = worker.get("waitingOnTask").asText();
        assertTrue(task.startsWith("java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask@"), json);
        assertEquals(task, worker.get("queuedTask").asText(), json);
    }

    /**
     * The same freeze through {@code CompletableFuture.join()}: one worker joins {@code supplyAsync(..., pool)}, the
     * other a {@code thenApply} stage of such a future. Each parks on a {@code Signaller} that names no future; the
     * detector finds the queued task by walking the pool's queue and the stages that depend on each task's future.
     */
    @Test
    void workersJoiningCompletableFuturesOfTheirOwnPoolAreStarved() {
        Running run = frozenPool("completable", "all 2 workers of");
        ChildResult result = endCleanly(run, Stop.TERM);
        assertTrue(result.stderr.contains("    waits for java.util.concurrent.CompletableFuture@"), result.stderr);
        assertTrue(result.stderr.contains(", which needs task java.util.concurrent.CompletableFuture$AsyncSupply@"), result.stderr);
        JsonNode starved = result.report().singleHazard("pool_starvation");
        String json = starved.toPrettyString();
        assertEquals(2, starved.get("pool").get("queuedTasks").asInt(), json);
        Set<String> futures = new HashSet<>();
        Set<String> queuedTasks = new HashSet<>();
        for (JsonNode worker : starved.get("workers")) {
            futures.add(worker.get("waitingOnTask").asText());
            queuedTasks.add(worker.get("queuedTask").asText());
            assertTrue(worker.get("waitingOnTask").asText().startsWith("java.util.concurrent.CompletableFuture@"), json);
            assertTrue(worker.get("queuedTask").asText().startsWith("java.util.concurrent.CompletableFuture$AsyncSupply@"), json);
            assertTrue(worker.get("thread").get("waitingFor").get("lock").asText()
                    .startsWith("java.util.concurrent.CompletableFuture$Signaller@"), json);
            assertTrue(mentions(worker.get("thread").get("stack"), StarvedPool.class), json);
        }
        assertEquals(2, futures.size(), json);
        assertEquals(2, queuedTasks.size(), json);
    }

    /** One worker in {@code join()}, the other in {@code Future.get()}: both kinds of wait in one frozen pool. */
    @Test
    void aPoolFrozenByJoinsAndGetsTogetherIsStarved() {
        Running run = frozenPool("completable-mixed", "all 2 workers of");
        JsonNode starved = endAndRead(run, Stop.KILL).singleHazard("pool_starvation");
        String json = starved.toPrettyString();
        List<String> kinds = new ArrayList<>();
        for (JsonNode worker : starved.get("workers")) {
            String future = worker.get("waitingOnTask").asText();
            kinds.add(future.substring(0, future.indexOf('@')));
            if (future.startsWith("java.util.concurrent.FutureTask@")) {
                assertEquals(future, worker.get("queuedTask").asText(), json);
            }
        }
        kinds.sort(null);
        assertEquals(List.of("java.util.concurrent.CompletableFuture", "java.util.concurrent.FutureTask"), kinds, json);
    }

    /**
     * A thread factory that wraps the pool's Runnable in its own, or makes a Thread subclass that calls it: the
     * thread's task is not the pool's worker, which is found in a field of the wrapper (and must name the thread).
     */
    @ParameterizedTest
    @ValueSource(strings = {"wrapped-runnable", "thread-subclass"})
    void aPoolWhoseThreadFactoryHidesItsWorkersIsStarved(String factory) {
        Running run = frozenPool(factory, "all 2 workers of");
        JsonNode starved = endAndRead(run, Stop.KILL).singleHazard("pool_starvation");
        String prefix = factory.equals("wrapped-runnable") ? "wrapped-" : "subclassed-";
        assertEquals(List.of(prefix + "1", prefix + "2"), threadNames(starved), starved.toPrettyString());
    }

    /** Workers in {@code get(timeout)}: still frozen until the timeout, and the finding says that it ends then. */
    @Test
    void aPoolFrozenInTimedWaitsSaysTheyEndByTheirTimeout() {
        Running run = frozenPool("timed", "all 2 workers of");
        ChildResult result = endCleanly(run, Stop.KILL);
        assertTrue(result.stderr.contains("so none of these waits ends but by its timeout"), result.stderr);
        JsonNode starved = result.report().singleHazard("pool_starvation");
        for (JsonNode worker : starved.get("workers")) {
            assertEquals("TIMED_WAITING", worker.get("thread").get("state").asText(), starved.toPrettyString());
        }
    }

    /** Sub-tasks that are FutureTasks of the application's own: found by identity, none of their code run. */
    @Test
    void aPoolFrozenOnTheApplicationsOwnFutureTasksIsStarved() {
        Running run = frozenPool("own-future-task", "all 2 workers of");
        JsonNode starved = endAndRead(run, Stop.KILL).singleHazard("pool_starvation");
        for (JsonNode worker : starved.get("workers")) {
            assertTrue(worker.get("waitingOnTask").asText().startsWith(StarvedPool.class.getName() + "$"),
                    starved.toPrettyString());
        }
    }

    /**
     * The freeze through Guava's {@code listeningDecorator}: its queued tasks are not FutureTasks, and its
     * {@code get()} parks on the task itself. Only FutureTasks were looked for, and nothing was reported.
     */
    @Test
    void aPoolFrozenOnGuavasListenableFutureTasksIsStarved() {
        Running run = ChildJvm.run(StarvedGuavaPool.class).agentOptions(THRESHOLD).library("guava-").library("failureaccess-")
                .start();
        run.awaitStdoutLine("waiting", FIND_SECONDS);
        run.awaitStderr("[lockwatch] HAZARD #1 pool_starvation: all 2 workers of java.util.concurrent.ThreadPoolExecutor@",
                FIND_SECONDS);
        JsonNode starved = endAndRead(run, Stop.KILL).singleHazard("pool_starvation");
        String json = starved.toPrettyString();
        assertEquals(2, starved.get("pool").get("queuedTasks").asInt(), json);
        for (JsonNode worker : starved.get("workers")) {
            String task = worker.get("waitingOnTask").asText();
            assertTrue(task.startsWith("com.google.common.util.concurrent.TrustedListenableFutureTask@"), json);
            assertEquals(task, worker.get("queuedTask").asText(), json);
            assertEquals(task, worker.get("thread").get("waitingFor").get("lock").asText(), json);
            assertTrue(mentions(worker.get("thread").get("stack"), StarvedGuavaPool.class), json);
        }
    }

    /**
     * Workers that wait long on what another pool runs, and nothing is reported: "other-pool", on tasks queued
     * there; "completable-either", joining {@code applyToEither} of a sub-task queued in their own pool and one the
     * other pool runs, so the queued one is not needed (either-stages are not followed).
     */
    @ParameterizedTest
    @ValueSource(strings = {"other-pool", "completable-either"})
    void workersWaitingOnWhatAnotherPoolRunsAreNotStarved(String mode) {
        ChildResult run = ChildJvm.run(StarvedPool.class).agentOptions("stall-threshold=1s").args(mode).exec()
                .assertCleanExit();
        assertEquals("waiting\ninner\ninner\ndone\n", run.stdout);
        run.report().assertNoHangFindings();
    }

    @ParameterizedTest
    @EnumSource(Stop.class)
    void conditionWaitStall(Stop stop) {
        Running run = start(ConditionStall.class);
        run.awaitStderr("[lockwatch] HAZARD #1 stall", FIND_SECONDS);
        JsonNode stall = endAndRead(run, stop).singleHazard("stall");
        assertStall(stall, ConditionStall.class, "java.util.concurrent.locks.ReentrantLock$NonfairSync",
                "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject@");
    }

    /**
     * The same through a read lock, which the JVM's snapshots name no owner of: found from lockwatch's own
     * stacks, which JDK 21 and later keep for every thread, since the thirty-fifth session also for a platform
     * waiter that the snapshots show no thread waiting for, and for a thread that holds nothing while it waits
     * for a lock other than a {@code ReentrantLock} (until then nothing reported this stall).
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void readLockStall(Stop stop) {
        assumeVirtualThreads(); // the JDKs that keep the stacks
        Running run = start(LatchStall.class, "read-lock");
        run.awaitStderr("[lockwatch] HAZARD #1 stall", FIND_SECONDS);
        JsonNode stall = endAndRead(run, stop).singleHazard("stall");
        assertStall(stall, LatchStall.class, "java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync",
                "java.util.concurrent.CountDownLatch$Sync@");
    }

    /** "waiter" waits on the owner-less object while holding the lock "signaller" is blocked on. */
    private static void assertStall(JsonNode stall, Class<?> program, String lockClass, String waitedOn) {
        String json = stall.toPrettyString();
        assertEquals(List.of("signaller", "waiter"), threadNames(stall));
        JsonNode waiter = stall.get("waiter");
        assertEquals("waiter", waiter.get("name").asText(), json);
        assertTrue(stall.get("waitingOn").asText().startsWith(waitedOn), json);
        assertTrue(waiter.get("waitingMillis").asLong() >= 2000, "waited past the threshold: " + json);
        JsonNode lock = stall.get("heldLocks").get(0);
        assertEquals(lockClass, lock.get("class").asText(), json);
        assertEquals(1, stall.get("blocked").size(), json);
        JsonNode signaller = stall.get("blocked").get(0);
        assertEquals("signaller", signaller.get("name").asText(), json);
        assertEquals(lock.get("lock").asText(), signaller.get("waitingFor").get("lock").asText(), json);
        assertEquals("waiter", signaller.get("owner").get("name").asText(), json);
        assertTrue(mentions(waiter.get("stack"), program), json);
        assertTrue(mentions(signaller.get("stack"), program), json);
        assertEquals(List.of(lock.get("lock").asText()), List.of(stall.get("locks").get(0).asText()), json);
    }

    // ---- self-join, dead owner, double start ----

    @ParameterizedTest
    @EnumSource(Stop.class)
    void selfJoin(Stop stop) {
        Running run = start(SelfJoin.class);
        run.awaitStderr("[lockwatch] HAZARD #1 self_join: thread \"joiner\"", FIND_SECONDS);
        JsonNode hazard = endAndRead(run, stop).singleHazard("self_join");
        String json = hazard.toPrettyString();
        assertEquals(List.of("joiner"), threadNames(hazard));
        assertEquals("joiner", hazard.get("thread").get("name").asText(), json);
        assertEquals("join()", hazard.get("call").asText(), json);
        assertTrue(hazard.get("site").asText().startsWith(SelfJoin.class.getName() + ".lambda$main$"), json);
        assertTrue(hazard.get("site").asText().contains("SelfJoin.java:"), json);
        assertTrue(mentions(hazard.get("stack"), SelfJoin.class), json);
    }

    /**
     * A pool's task that waits for its own result, or for its own pool's termination: only it can bring either about,
     * so only the wait's timeout or an interrupt ends it ({@code close()}: nothing). No lock is involved: thread
     * dumps show a parked worker. Reported once the thread has waited past the threshold, also by a worker whose idle
     * wait before was looked at (each wait is looked at once); not reported at all until the forty-third session.
     */
    @ParameterizedTest
    @ValueSource(strings = {"own-future", "own-future-timed", "own-pool", "own-pool-close", "own-future-after-idle"})
    void aTaskWaitingForItselfIsReported(String mode) {
        if (mode.equals("own-pool-close")) {
            assumeTrue(ChildJvm.childFeatureVersion() >= 19, "ExecutorService.close() came with JDK 19");
        }
        boolean ownTask = mode.startsWith("own-future");
        String call = Map.of("own-future", "get()", "own-future-timed", "get(timeout)", "own-pool",
                "awaitTermination(timeout)", "own-pool-close", "close()", "own-future-after-idle", "get()").get(mode);
        Running run = start(SelfWait.class, mode);
        run.awaitStdoutLine("waiting", FIND_SECONDS);
        run.awaitStderr("[lockwatch] HAZARD #1 self_wait: thread \"worker-1\" waits in " + call + " for the "
                + (ownTask ? "result of task java.util.concurrent.FutureTask@" : "termination of java.util.concurrent.ThreadPoolExecutor@"),
                FIND_SECONDS);
        ChildResult result = endCleanly(run, Stop.TERM);
        String ends = call.equals("close()") ? "  the wait never ends (" : call.equals("get()")
                ? "  only an interrupt ends the wait (" : "  only its timeout or an interrupt ends the wait (";
        assertTrue(result.stderr.contains(ends), result.stderr);
        Report report = result.report();
        JsonNode hazard = report.singleHazard("self_wait");
        String json = hazard.toPrettyString();
        assertEquals(List.of("worker-1"), threadNames(hazard), json);
        assertEquals(0, hazard.get("locks").size(), json);
        assertEquals(ownTask ? "its_own_task" : "its_own_pool", hazard.get("waitsFor").asText(), json);
        assertTrue(ownTask ? hazard.get("task").asText().startsWith("java.util.concurrent.FutureTask@")
                : hazard.get("pool").asText().startsWith("java.util.concurrent.ThreadPoolExecutor@"), json);
        assertEquals(call, hazard.get("call").asText(), json);
        JsonNode thread = hazard.get("thread");
        assertEquals(call.equals("get()") ? "WAITING" : "TIMED_WAITING", thread.get("state").asText(), json);
        assertTrue(thread.get("waitingMillis").asLong() >= 2000, json);
        assertTrue(mentions(thread.get("stack"), SelfWait.class), json);
        assertEquals(1, report.stat("threadsStuckNow"), json);
    }

    /**
     * The same calls waiting for what others bring about: a pool's task for another task's result, which comes after
     * 5 s, and the main thread for the pool's termination (from outside it). Both wait past the threshold, then end:
     * nothing to report.
     */
    @Test
    void aTaskWaitingForAnotherTaskOrAPoolFromOutsideIsNoSelfWait() {
        ChildResult result = ChildJvm.run(SelfWait.class).agentOptions(THRESHOLD).args("outside").exec();
        result.assertCleanExit();
        assertTrue(result.stdout.contains("done"), result.stdout);
        assertFalse(result.stderr.contains("HAZARD"), result.stderr);
        assertEquals(0, result.report().hazards().size(), result.report().hazards().toPrettyString());
        assertTrue(result.report().stat("hangChecks") >= 6, "hang checks: " + result.report().stat("hangChecks"));
    }

    /**
     * A thread joining itself (and main joining it) is a self_join, not a deadlock: the join search saw a cycle of
     * one thread, and reported it as a deadlock whenever a hang check ran before the program ended (a report that
     * the schema rejects: a deadlock has two threads or more), until the forty-third session.
     */
    @Test
    void aThreadJoiningItselfIsNoDeadlock() {
        Running run = start(SelfJoin.class, "then-wait");
        run.awaitStderr("[lockwatch] HAZARD #1 self_join: thread \"joiner\"", FIND_SECONDS);
        run.awaitStdoutLine("waited", FIND_SECONDS);
        ChildResult result = endCleanly(run, Stop.TERM);
        assertFalse(result.stderr.contains("DEADLOCK"), result.stderr);
        Report report = result.report();
        assertEquals(0, report.deadlocks().size(), report.deadlocks().toPrettyString());
        assertEquals(0, report.stat("threadsDeadlockedNow"));
        report.singleHazard("self_join");
        assertTrue(report.stat("hangChecks") >= 6, "hang checks: " + report.stat("hangChecks"));
    }

    /**
     * A thread that holds a {@code StampedLock}'s read lock asks for its write lock: not reentrant, so it waits for
     * itself. Reported the moment the call is made (no threshold), with the thread and the calling line.
     */
    @ParameterizedTest
    @EnumSource(Stop.class)
    void aStampedLockAskedForByItsHolderIsASelfDeadlock(Stop stop) {
        Running run = start(StampedLockInversion.class, "self");
        run.awaitStdoutLine("waiting", FIND_SECONDS);
        run.awaitStderr("[lockwatch] HAZARD #1 self_deadlock: thread \"upgrader\" asks for the write lock of"
                + " java.util.concurrent.locks.StampedLock@", FIND_SECONDS);
        JsonNode hazard = endAndRead(run, stop).singleHazard("self_deadlock");
        String json = hazard.toPrettyString();
        assertEquals(List.of("upgrader"), threadNames(hazard), json);
        assertEquals("read", hazard.get("held").asText(), json);
        assertEquals("write", hazard.get("wanted").asText(), json);
        assertEquals("java.util.concurrent.locks.StampedLock", hazard.get("lock").get("class").asText(), json);
        assertEquals(List.of(hazard.get("lock").get("lock").asText()), strings(hazard.get("locks")), json);
        assertTrue(hazard.get("site").asText().startsWith(StampedLockInversion.class.getName() + ".lambda$main$"), json);
        assertTrue(mentions(hazard.get("stack"), StampedLockInversion.class), json);
    }

    /**
     * The same through the lock's views ({@code asReadLock()}, {@code asWriteLock()}), which are the lock itself:
     * both, or one with the other taken by its stamp. Until the forty-second session none of the three was reported.
     */
    @ParameterizedTest
    @ValueSource(strings = {"self-views", "self-view-then-stamp", "self-stamp-then-view"})
    void aStampedLockAskedForThroughAViewByItsHolderIsASelfDeadlock(String mode) {
        Running run = start(StampedLockInversion.class, mode);
        run.awaitStdoutLine("waiting", FIND_SECONDS);
        run.awaitStderr("[lockwatch] HAZARD #1 self_deadlock: thread \"upgrader\" asks for the write lock of"
                + " java.util.concurrent.locks.StampedLock@", FIND_SECONDS);
        JsonNode hazard = endAndRead(run, Stop.TERM).singleHazard("self_deadlock");
        String json = hazard.toPrettyString();
        assertEquals("read", hazard.get("held").asText(), json);
        assertEquals("write", hazard.get("wanted").asText(), json);
        assertEquals("java.util.concurrent.locks.StampedLock", hazard.get("lock").get("class").asText(), json);
        assertTrue(hazard.get("site").asText().startsWith(StampedLockInversion.class.getName() + ".lambda$main$"), json);
    }

    /**
     * A thread that holds a {@code ReentrantReadWriteLock}'s read lock asks for its write lock, which waits until no
     * thread reads, itself included. The JVM names no owner of a read lock, so neither its deadlock search nor a
     * thread dump shows why. Reported the moment the call is made, naming the lock as a thread dump does (its Sync).
     * Until the forty-second session it was not reported at all.
     */
    @Test
    void aReadWriteLocksReaderAskingForItsWriteLockIsASelfDeadlock() {
        Running run = start(ReadWriteUpgrade.class, "upgrade");
        run.awaitStdoutLine("waiting", FIND_SECONDS);
        run.awaitStderr("[lockwatch] HAZARD #1 self_deadlock: thread \"upgrader\" asks for the write lock of"
                + " java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync@", FIND_SECONDS);
        ChildResult result = run.terminate(30);
        assertTrue(result.stderr.contains("while it holds its read lock; a ReentrantReadWriteLock's read lock is never"
                + " upgraded to its write lock, so it waits for itself, forever"), result.stderr);
        JsonNode hazard = result.report().singleHazard("self_deadlock");
        String json = hazard.toPrettyString();
        assertEquals(List.of("upgrader"), threadNames(hazard), json);
        assertEquals("read", hazard.get("held").asText(), json);
        assertEquals("write", hazard.get("wanted").asText(), json);
        assertEquals("java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync", hazard.get("lock").get("class").asText(), json);
        assertTrue(hazard.get("site").asText().startsWith(ReadWriteUpgrade.class.getName() + ".upgrade("), json);
    }

    @ParameterizedTest
    @EnumSource(Stop.class)
    void lockHeldByEndedThread(Stop stop) {
        Running run = start(DeadOwner.class);
        run.awaitReport("a dead_owner hazard naming late-comer", json -> {
            for (JsonNode h : json.get("hazards")) {
                if (h.get("kind").asText().equals("dead_owner") && threadNames(h).contains("late-comer")) return true;
            }
            return false;
        }, FIND_SECONDS);
        JsonNode hazard = endAndRead(run, stop).singleHazard("dead_owner");
        String json = hazard.toPrettyString();
        assertEquals(List.of("late-comer", "quitter"), threadNames(hazard));
        assertEquals("quitter", hazard.get("deadThread").get("name").asText(), json);
        assertEquals("java.util.concurrent.locks.ReentrantLock", hazard.get("lock").get("class").asText(), json);
        assertEquals("exclusive", hazard.get("mode").asText(), json);
        assertTrue(hazard.get("acquiredAt").asText().startsWith(DeadOwner.class.getName() + ".lambda$main$"), json);
        JsonNode waiter = hazard.get("waiters").get(0);
        assertEquals("late-comer", waiter.get("name").asText(), json);
        assertEquals("quitter", waiter.get("owner").get("name").asText(), json);
        assertTrue(mentions(waiter.get("stack"), DeadOwner.class), json);
    }

    /**
     * A thread ends holding a {@code StampedLock}, in either mode, and another asks for its write lock: reported once
     * still held a threshold after the end (its stamp could have been handed on), with the thread waiting for it.
     * Taken through a view ({@code asWriteLock()}, {@code asReadLock()}: no stamp), the lock named is the view the
     * thread locked, and the synchronizer the {@code StampedLock} behind it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"stamped-write", "stamped-read", "stamped-view-write", "stamped-view-read"})
    void aStampedLockHeldByAnEndedThread(String mode) {
        Running run = start(DeadOwner.class, mode);
        run.awaitStderr("[lockwatch] HAZARD #1 dead_owner: thread \"quitter\"", FIND_SECONDS);
        run.awaitReport("the dead_owner hazard naming late-comer", json -> {
            for (JsonNode h : json.get("hazards")) {
                if (h.get("kind").asText().equals("dead_owner") && threadNames(h).contains("late-comer")) return true;
            }
            return false;
        }, FIND_SECONDS);
        JsonNode hazard = endAndRead(run, Stop.TERM).singleHazard("dead_owner");
        String json = hazard.toPrettyString();
        assertEquals(List.of("late-comer", "quitter"), threadNames(hazard));
        assertEquals("quitter", hazard.get("deadThread").get("name").asText(), json);
        String lockClass = mode.equals("stamped-view-write") ? "java.util.concurrent.locks.StampedLock$WriteLockView"
                : mode.equals("stamped-view-read") ? "java.util.concurrent.locks.StampedLock$ReadLockView"
                : "java.util.concurrent.locks.StampedLock";
        assertEquals(lockClass, hazard.get("lock").get("class").asText(), json);
        assertEquals(mode.endsWith("-read") ? "read" : "exclusive", hazard.get("mode").asText(), json);
        assertTrue(hazard.get("synchronizer").asText().startsWith("java.util.concurrent.locks.StampedLock@"), json);
        assertTrue(hazard.get("acquiredAt").asText().startsWith(DeadOwner.class.getName() + ".lambda$main$"), json);
        JsonNode waiter = hazard.get("waiters").get(0);
        assertEquals("late-comer", waiter.get("name").asText(), json);
        assertTrue(mentions(waiter.get("stack"), DeadOwner.class), json);
    }

    /**
     * A thread hands its {@code StampedLock} write stamp to another and ends; the other unlocks it a second later,
     * under the threshold. Nothing was left held: no dead_owner, though the lock was still held when the end was
     * seen.
     */
    @Test
    @ResourceLock(ThreeAtATime.MACHINE) // alone: the unlock comes 1 s before the report would
    void aStampedLockHandedOnAndUnlockedAfterItsTakerEndedIsNoDeadOwner() {
        ChildResult run = ChildJvm.run(DeadOwner.class).agentOptions(THRESHOLD).args("stamped-handed-over").exec()
                .assertCleanExit();
        assertTrue(run.stdout.contains("unlocked\n") && run.stdout.contains("done\n"), run.stdout); // in either order
        run.report().assertNoHangFindings();
    }

    @ParameterizedTest
    @EnumSource(Stop.class)
    void threadStartedTwice(Stop stop) {
        Running run = start(DoubleStart.class);
        run.awaitStderr("[lockwatch] HAZARD #1 double_start", FIND_SECONDS);
        // The program still got the exception, from Thread.start straight to its own frame.
        run.awaitStdoutLine("caught java.lang.IllegalThreadStateException thrown to "
                + DoubleStart.class.getName() + ".main, lockwatch frames: 0", FIND_SECONDS);
        JsonNode hazard = endAndRead(run, stop).singleHazard("double_start");
        String json = hazard.toPrettyString();
        assertEquals(List.of("main", "worker"), threadNames(hazard));
        assertEquals("worker", hazard.get("thread").get("name").asText(), json);
        assertEquals("TERMINATED", hazard.get("thread").get("state").asText(), json);
        assertEquals("main", hazard.get("caller").get("name").asText(), json);
        assertTrue(hazard.get("site").asText().startsWith(DoubleStart.class.getName() + ".main(DoubleStart.java:"), json);
        assertTrue(mentions(hazard.get("stack"), DoubleStart.class), json);
    }

    // ---- long waits that are not hangs ----

    @ParameterizedTest
    @EnumSource(Stop.class)
    void longWaitsHoldingNothingOthersNeed(Stop stop) {
        Running run = start(QuietWaits.class, "5000"); // waits 2.5 thresholds before saying "waited"
        run.awaitStdoutLine("waited", FIND_SECONDS);
        ChildResult result = stop.end(run);
        assertFalse(result.stderr.contains("HAZARD") || result.stderr.contains("DEADLOCK"), result.stderr);
        Report report = result.report().assertNoHangFindings();
        if (stop == Stop.TERM) {
            // The final report has the detector's stats: it did look, many times, past the threshold.
            assertTrue(report.stat("hangChecks") >= 6, "hang checks: " + report.stat("hangChecks"));
            assertEquals(0, report.stat("threadsStuckNow"));
            assertEquals(0, report.stat("threadsDeadlockedNow"));
        }
    }

    /**
     * A StampedLock's stamp handed to another thread, which unlocks it: the locking thread's stack still has the
     * lock, and its next write lock, which takes the lock at once, was reported as waiting for itself until the
     * check asked the lock's own state.
     */
    @Test
    void aStampedLockUnlockedByAnotherThreadIsNoSelfDeadlock() {
        ChildResult run = ChildJvm.run(StampedLockInversion.class).agentOptions(THRESHOLD).args("handed-over").exec()
                .assertCleanExit();
        assertEquals("done\n", run.stdout);
        run.report().assertNoHangFindings();
    }

    /**
     * As above, but a third thread holds the write lock when the first asks for it again: it waits for that thread,
     * not for itself. The lock's being write-locked was taken for the first thread's old hold until the check asked
     * whether the hold's stamp still validates.
     */
    @Test
    void aStampedLockUnlockedByAnotherThreadThenHeldByAThirdIsNoSelfDeadlock() {
        ChildResult run = ChildJvm.run(StampedLockInversion.class).agentOptions(THRESHOLD).args("handed-over-then-held")
                .exec().assertCleanExit();
        assertEquals("done\n", run.stdout);
        run.report().assertNoHangFindings();
    }

    // ---- the JFR event ----

    @Test
    void deadlockIsAlsoAFlightRecorderEvent() throws Exception {
        Running run = ChildJvm.run(MonitorDeadlock.class).agentOptions(THRESHOLD)
                .jvmArgs("-XX:StartFlightRecording=filename=recording.jfr,dumponexit=true").start();
        run.awaitStderr("[lockwatch] DEADLOCK #1", FIND_SECONDS);
        ChildResult result = run.terminate(30);
        Path recording = result.dir.resolve("recording.jfr");
        Process print = new ProcessBuilder(ChildJvm.jdkTool("jfr").toString(), "print", "--events", "lockwatch.Finding",
                recording.toString()).redirectErrorStream(true).start();
        String events = new String(print.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(print.waitFor(30, TimeUnit.SECONDS), "jfr print did not finish");
        assertNotNull(events);
        assertTrue(events.contains("lockwatch.Finding"), events);
        assertTrue(events.contains("kind = \"deadlock\""), events);
        assertTrue(events.contains("alpha") && events.contains("beta"), events);
    }
}
