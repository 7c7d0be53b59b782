package io.lockwatch.it;

import static io.lockwatch.it.harness.Report.assertFinding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.programs.LeafInversion;
import io.lockwatch.it.programs.LeafInversionAfterWarmUp;
import io.lockwatch.it.programs.LeafLockInversion;
import io.lockwatch.it.programs.LeafLockSubclass;
import io.lockwatch.it.programs.MixedInversion;
import io.lockwatch.it.programs.NestAroundLockSubclass;
import io.lockwatch.it.programs.NestInversion;
import io.lockwatch.it.programs.MonitorInversion;
import io.lockwatch.it.programs.TypeAnnotatedInversion;
import io.lockwatch.it.programs.ReadWriteLockInversion;
import io.lockwatch.it.programs.ReentrantLockInversion;
import io.lockwatch.it.programs.StampedLockInversion;
import io.lockwatch.it.programs.SynchronizedMethodsInversion;
import io.lockwatch.it.programs.ThreeLockCycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Programs that invert a lock order without hanging: each must give exactly one potential deadlock. */
class LockOrderInversionTest {

    private static JsonNode onlyFinding(Class<?> program) {
        ChildResult run = ChildJvm.run(program).exec().assertCleanExit();
        assertEquals("done\n", run.stdout);
        JsonNode finding = run.report().singlePotentialDeadlock();
        assertTrue(run.stderr.contains("[lockwatch] POTENTIAL DEADLOCK #1"), "summary on stderr:\n" + run.stderr);
        return finding;
    }

    @Test
    void excludedPackagesAreNotInstrumented() {
        ChildResult run = ChildJvm.run(MonitorInversion.class).agentOptions("exclude=io.lockwatch.it.programs.")
                .exec().assertCleanExit();
        run.report().assertNoPotentialDeadlocks();
        assertEquals("io.lockwatch.it.programs.", run.report().json.get("agent").get("options").get("exclude").asText());
    }

    @Test
    void twoMonitors() {
        JsonNode finding = onlyFinding(MonitorInversion.class);
        assertFinding(finding, MonitorInversion.class, "java.lang.Object", "java.lang.Object");
        for (JsonNode edge : finding.get("edges")) {
            // The held lock's own frame comes first: the line of the outer synchronized block.
            assertTrue(edge.get("heldStack").get(0).asText().contains("MonitorInversion.lambda$main$"), edge.toString());
            assertTrue(edge.get("held").get("lock").asText().matches("java\\.lang\\.Object@[0-9a-f]+"), edge.toString());
        }
    }

    /**
     * lockwatch takes a new edge's stack from a Throwable; a JVM told to keep no stacks in Throwables gives
     * it none, and the stack is then walked instead: the finding's stacks still reach down to the thread's
     * first frame.
     */
    @Test
    void stacksAreWholeOnAJvmThatKeepsNoStacksInThrowables() {
        assertStacksWholeWith("-XX:-StackTraceInThrowable");
    }

    /**
     * A JVM that keeps only a few frames in a Throwable ({@code MaxJavaStackTraceDepth}, here fewer than
     * lockwatch's own frames at a capture): the stacks are walked, and are whole. Taken from the Throwable,
     * they would be empty, and the held stack the site alone.
     */
    @Test
    void stacksAreWholeOnAJvmThatCutsThrowablesShort() {
        assertStacksWholeWith("-XX:MaxJavaStackTraceDepth=6");
    }

    private static void assertStacksWholeWith(String jvmOption) {
        ChildResult run = ChildJvm.run(MonitorInversion.class).jvmArgs(jvmOption).exec().assertCleanExit();
        JsonNode finding = run.report().singlePotentialDeadlock();
        for (JsonNode edge : finding.get("edges")) {
            for (String stack : new String[] {"heldStack", "takenStack"}) {
                JsonNode frames = edge.get(stack);
                assertTrue(frames.size() >= 2 && frames.get(0).asText().contains("MonitorInversion.lambda$main$")
                        && frames.get(frames.size() - 1).asText().startsWith("java.base/java.lang.Thread.run"),
                        stack + " from the site down to Thread.run with " + jvmOption + ": " + edge);
            }
        }
    }

    /** A class whose code carries type annotations goes to ASM instead of the raw rewriter: still tracked. */
    @Test
    void twoMonitorsInCodeWithTypeAnnotations() {
        assertFinding(onlyFinding(TypeAnnotatedInversion.class), TypeAnnotatedInversion.class, "java.lang.Object", "java.lang.Object");
    }

    @Test
    void twoReentrantLocks() {
        JsonNode finding = onlyFinding(ReentrantLockInversion.class);
        assertFinding(finding, ReentrantLockInversion.class,
                "java.util.concurrent.locks.ReentrantLock", "java.util.concurrent.locks.ReentrantLock");
        for (JsonNode edge : finding.get("edges")) {
            assertTrue(edge.get("heldStack").get(0).asText().startsWith(ReentrantLockInversion.class.getName() + ".both("),
                    "held lock's site is the lock() call: " + edge);
        }
    }

    @Test
    void monitorAndReentrantLock() {
        assertFinding(onlyFinding(MixedInversion.class), MixedInversion.class,
                "java.lang.Object", "java.util.concurrent.locks.ReentrantLock");
    }

    @Test
    void threeLocksAcrossThreeThreads() {
        JsonNode finding = onlyFinding(ThreeLockCycle.class);
        String fork = ThreeLockCycle.class.getName() + "$Fork";
        assertFinding(finding, ThreeLockCycle.class, fork, fork, fork);
        assertEquals(3, finding.get("threads").size());
    }

    @Test
    void synchronizedMethodsOfTwoInstances() {
        String account = SynchronizedMethodsInversion.class.getName() + "$Account";
        JsonNode finding = onlyFinding(SynchronizedMethodsInversion.class);
        assertFinding(finding, SynchronizedMethodsInversion.class, account, account);
        JsonNode locks = finding.get("locks");
        assertTrue(!locks.get(0).asText().equals(locks.get(1).asText()), "two instances are two locks: " + locks);
    }

    /**
     * Both inner locks are leaf critical sections (a synchronized method and a block with nothing called
     * inside), which are checked against the held locks but never pushed: the cycle is found all the same,
     * with the leaf's own line at the top of its taken stack.
     */
    @Test
    void leafCriticalSectionsAsTheInnerLocks() {
        JsonNode finding = onlyFinding(LeafInversion.class);
        assertFinding(finding, LeafInversion.class, "java.lang.Object", LeafInversion.class.getName() + "$Counter");
        String takenTops = "";
        for (JsonNode edge : finding.get("edges")) takenTops += edge.get("takenStack").get(0).asText() + "\n";
        assertTrue(takenTops.contains(LeafInversion.class.getName() + "$Counter.increment("), takenTops);
        assertTrue(takenTops.contains(LeafInversion.class.getName() + ".lambda$main$"), takenTops);
    }

    /**
     * A leaf site that the JIT compiled after a hundred thousand calls with nothing held (-Xbatch: compiled
     * before the program goes on) still checks the order once it runs with a lock held: the compiled code
     * for "nothing held" alone gives way (LeafEntry), and the inversion through that site is found.
     */
    @Test
    void aLeafSiteCompiledWithNothingHeldStillChecksOnceSomethingIsHeld() {
        ChildResult run = ChildJvm.run(LeafInversionAfterWarmUp.class).jvmArgs("-Xbatch").exec().assertCleanExit();
        assertEquals("done\n", run.stdout);
        JsonNode finding = run.report().singlePotentialDeadlock();
        assertFinding(finding, LeafInversionAfterWarmUp.class, "java.lang.Object", "java.lang.Object");
        for (JsonNode edge : finding.get("edges")) {
            String taken = edge.get("takenStack").get(0).asText();
            assertTrue(taken.startsWith(LeafInversionAfterWarmUp.class.getName() + ".bump("), "taken at the leaf site: " + edge);
        }
    }

    /** The same with a ReentrantLock's {@code lock(); try { ... } finally { unlock(); }} as a leaf section. */
    @Test
    void leafLockSectionAsTheInnerLock() {
        JsonNode finding = onlyFinding(LeafLockInversion.class);
        assertFinding(finding, LeafLockInversion.class, "java.lang.Object", "java.util.concurrent.locks.ReentrantLock");
    }

    /**
     * Two nests (an outer block that takes nothing but a leaf block) in opposite orders: neither lock is
     * pushed, and the inner check gets the outer lock handed over. The first thread's A -> B is only ever
     * new while it holds C, so the check must have put the nest's lock on the stack beside C.
     */
    @Test
    void nestsInOppositeOrders() {
        JsonNode finding = onlyFinding(NestInversion.class);
        assertFinding(finding, NestInversion.class, "java.lang.Object", "java.lang.Object");
        String held = "";
        for (JsonNode edge : finding.get("edges")) held += edge.get("heldStack").get(0).asText() + "\n";
        assertTrue(held.contains(NestInversion.class.getName() + ".nestAB(") && held.contains(NestInversion.class.getName() + ".nestBA("),
                "each edge's held lock is the nest's outer block: " + held);
    }

    /**
     * A nest around a ReentrantLock subclass, whose own unlock() takes Y while the nest's X is held: X must
     * stay on the held stack for as long as that lock is held, not just for its order check.
     */
    @Test
    void aNestAroundALockSubclassKeepsItsLockOnTheStack() {
        JsonNode finding = onlyFinding(NestAroundLockSubclass.class);
        assertFinding(finding, NestAroundLockSubclass.class, "java.lang.Object", "java.lang.Object");
    }

    /**
     * A ReentrantLock subclass can take locks in its own {@code lock()} or {@code unlock()}, which the leaf
     * proof (the caller's bytecode) does not see: such a lock is always tracked in full.
     */
    @Test
    void aReentrantLockSubclassIsNeverALeaf() {
        JsonNode finding = onlyFinding(LeafLockSubclass.class);
        assertFinding(finding, LeafLockSubclass.class, "java.lang.Object", LeafLockSubclass.class.getName() + "$AuditedLock");
    }

    @Test
    void writeLockThenMonitorAgainstMonitorThenReadLock() {
        JsonNode finding = onlyFinding(ReadWriteLockInversion.class);
        assertFinding(finding, ReadWriteLockInversion.class,
                "java.lang.Object", "java.util.concurrent.locks.ReentrantReadWriteLock");
        String modes = modes(finding);
        assertTrue(modes.contains("exclusive->read") && modes.contains("exclusive->exclusive"),
                "write lock held exclusive, read lock taken in read mode: " + modes);
    }

    /**
     * Two {@code StampedLock}s in opposite orders, through stamps, through the {@code asWriteLock()} view (a
     * {@code Lock}: the same lock as the stamps'), and through a read stamp upgraded to a write lock. Until the
     * thirty-eighth session no {@code StampedLock} call was tracked, and none of these was found.
     */
    @ParameterizedTest
    @ValueSource(strings = {"stamps", "views", "converted"})
    void twoStampedLocks(String mode) {
        ChildResult run = ChildJvm.run(StampedLockInversion.class).args(mode).exec().assertCleanExit();
        assertEquals("done\n", run.stdout);
        JsonNode finding = run.report().singlePotentialDeadlock();
        assertFinding(finding, StampedLockInversion.class,
                "java.util.concurrent.locks.StampedLock", "java.util.concurrent.locks.StampedLock");
        String modes = modes(finding);
        assertTrue(modes.contains("exclusive->read") && modes.contains("exclusive->exclusive"),
                "A's write lock held, B's read lock taken in read mode: " + modes);
    }

    /** Each edge's held and taken modes, "held->taken ". */
    private static String modes(JsonNode finding) {
        StringBuilder modes = new StringBuilder();
        for (JsonNode edge : finding.get("edges")) {
            modes.append(edge.get("held").get("mode").asText()).append("->").append(edge.get("taken").get("mode").asText()).append(' ');
        }
        return modes.toString();
    }
}
