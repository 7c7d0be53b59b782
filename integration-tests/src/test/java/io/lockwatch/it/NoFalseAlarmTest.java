package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.DeepReentrancy;
import io.lockwatch.it.programs.ExceptionUnwinding;
import io.lockwatch.it.programs.MapMonitorAndBins;
import io.lockwatch.it.programs.ReadWriteUpgrade;
import io.lockwatch.it.programs.SameOrderUnderLoad;
import io.lockwatch.it.programs.SingleThreadBothOrders;
import io.lockwatch.it.programs.StampedLockInversion;
import io.lockwatch.it.programs.ThreadsSharingASlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Lock orders that cannot deadlock: no finding, and the held-lock state stays exact. */
class NoFalseAlarmTest {

    /**
     * JDK classes are left out here so that the edge counts below are the program's own: they show that
     * the held-lock state stayed exact. (The same programs also run with everything covered.)
     */
    static final String PROGRAM_ONLY = "exclude=java.;javax.;jdk.;sun.;com.sun.";

    private static Report cleanReport(Class<?> program, String... args) {
        ChildJvm.run(program).args(args).exec().assertCleanExit().report().assertNoPotentialDeadlocks();
        ChildResult run = ChildJvm.run(program).args(args).agentOptions(PROGRAM_ONLY).exec().assertCleanExit();
        return run.report().assertNoPotentialDeadlocks();
    }

    @Test
    void sameOrderInEveryThreadUnderContention() {
        Report report = cleanReport(SameOrderUnderLoad.class);
        // A->B, A->C, B->C: three edges however many threads and iterations.
        assertEquals(3, report.stat("edges"));
        assertEquals(0, report.stat("internalErrors"));
    }

    @Test
    void deepReentrancyLeavesNothingHeld() {
        Report report = cleanReport(DeepReentrancy.class);
        // Only the second thread's C->MONITOR, C->LOCK, C->class, MONITOR->LOCK, MONITOR->class.
        assertEquals(5, report.stat("edges"));
    }

    /**
     * A ConcurrentHashMap's bins are one lock in the graph (see JdkAndLibraryInversionTest), the map's
     * bins: not the map's own monitor, which a program may lock too.
     */
    @Test
    void aMapsOwnMonitorIsNotItsBins() {
        ChildResult run = ChildJvm.run(MapMonitorAndBins.class).exec().assertCleanExit();
        assertEquals("2\n", run.stdout);
        Report report = run.report().assertNoPotentialDeadlocks();
        assertEquals(0, report.stat("internalErrors"));
    }

    @Test
    void oneThreadTakingBothOrders() {
        ChildJvm.run(SingleThreadBothOrders.class).exec().assertCleanExit().report().assertNoPotentialDeadlocks();
        ChildResult run = ChildJvm.run(SingleThreadBothOrders.class).agentOptions(PROGRAM_ONLY).exec().assertCleanExit();
        assertEquals("a then b\nb then a\n", run.stdout);
        Report report = run.report().assertNoPotentialDeadlocks();
        assertEquals(2, report.stat("edges"), "the cycle is in the graph, just not reported");
    }

    @Test
    void exceptionsUnwindingSynchronizedBlocksAndMethods() {
        Report report = cleanReport(ExceptionUnwinding.class);
        // thrower: A->B, A->D, B->D; other: C->A. Nothing from A or B to C.
        assertEquals(4, report.stat("edges"));
    }

    /**
     * A thread hands its {@code StampedLock} write stamp to another, which unlocks it, then takes a second lock; a
     * thread alive meanwhile takes the two in the other order. The first thread's stack kept the lock that was
     * unlocked elsewhere, and its next lock was an edge from it: a false cycle, until the order check asked the lock
     * whether the hold's stamp still validates. Only the edge B -> A remains.
     */
    @Test
    void aStampedLockUnlockedByAnotherThreadIsNoLongerHeld() {
        Report report = cleanReport(StampedLockInversion.class, "handed-over-inversion");
        assertEquals(1, report.stat("edges"));
    }

    /**
     * The same through the lock's {@code asWriteLock()} view, taken with lock() or tryLock(): no stamp, and any thread
     * may unlock it. A thread that had taken no StampedLock by its stamps never looked for holds unlocked elsewhere.
     */
    @ParameterizedTest
    @ValueSource(strings = {"view-unlocked-elsewhere-inversion", "view-try-locked-unlocked-elsewhere-inversion"})
    void aStampedLockViewUnlockedByAnotherThreadIsNoLongerHeld(String mode) {
        Report report = cleanReport(StampedLockInversion.class, mode);
        assertEquals(1, report.stat("edges"));
    }

    /**
     * A {@code ReentrantReadWriteLock} used as its documentation shows: the read lock given up before the write lock,
     * a downgrade (read under write), the write lock re-entered while both are held. Nothing waits for itself.
     */
    @Test
    void aReadWriteLocksDowngradeIsNoSelfDeadlock() {
        ChildResult run = ChildJvm.run(ReadWriteUpgrade.class).args("downgrade").exec().assertCleanExit();
        assertEquals("done\n", run.stdout, run.toString());
        assertEquals(0, run.report().hazards().size(), run.report().hazards().toPrettyString());
    }

    /**
     * The read lock given up in code lockwatch leaves alone (a class the user excluded), then the write lock taken:
     * lockwatch's stack still shows the read lock, but the lock itself says the thread holds none. No self_deadlock.
     */
    @Test
    void aReadLockGivenUpInExcludedCodeIsNoSelfDeadlock() {
        ChildResult run = ChildJvm.run(ReadWriteUpgrade.class).args("released-unseen")
                .agentOptions("exclude=" + ReadWriteUpgrade.class.getName() + "$Unseen").exec().assertCleanExit();
        assertEquals("done\n", run.stdout, run.toString());
        assertEquals(0, run.report().hazards().size(), run.report().hazards().toPrettyString());
    }

    /**
     * The agent finds a thread's state through a cache indexed by thread id, where threads whose ids are a
     * multiple of its size apart share a slot. Each must still get its own state: handed another's, a thread
     * would take its locks "under" the other's, and the false edge would close a false cycle here.
     */
    @Test
    void threadsSharingACacheSlotKeepTheirOwnHeldLocks() {
        Report report = cleanReport(ThreadsSharingASlot.class);
        assertEquals(1, report.stat("edges"), "only Y -> X");
    }
}
