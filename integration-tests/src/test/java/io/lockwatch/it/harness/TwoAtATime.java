package io.lockwatch.it.harness;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.ResourceLockTarget;

/**
 * A test class whose tests are independent child JVMs that are not timed at all, so that two of them can run at
 * once on the 2-core CI machine (those that mostly wait: {@link ThreeAtATime}). Classes so marked run in surefire
 * executions of their own, one per JDK, after the other classes (which run their tests one at a time, two classes at
 * once: integration-tests/pom.xml), so they never overlap those; there the classes run one after another, and each
 * one's tests two at a time. A test among them that keeps a core busy, or whose assertion has a margin of a second
 * or less, takes the machine for itself: {@code @ResourceLock(TwoAtATime.MACHINE)}. This is also the place for a
 * class whose every test needs the machine, each test taking it: the other classes' executions cannot run one alone.
 * The tests that take the machine run before the others ({@link MachineTestsFirst}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(TwoAtATime.TAG)
@TestMethodOrder(MachineTestsFirst.class)
@ResourceLock(value = TwoAtATime.MACHINE, mode = ResourceAccessMode.READ, target = ResourceLockTarget.CHILDREN)
public @interface TwoAtATime {
    /** The JUnit tag that puts a class in the executions of its own. */
    String TAG = "two-at-a-time";

    /** The key of the lock every test of such a class reads, and a test that must run alone takes to write. */
    String MACHINE = "the machine's cores";
}
