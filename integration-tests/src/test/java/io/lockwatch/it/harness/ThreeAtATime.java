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
 * Like {@link TwoAtATime}, for a test class whose child JVMs, once started, mostly wait (a hung program, until
 * lockwatch has reported it): three tests at a time on the 2-core CI machine, as the cores idle while they wait.
 * A class of short runs that keep the cores busy is slower so ({@code DamagedAgentJarTest}) and stays
 * {@code @TwoAtATime}; README's test section has the measurements. These classes run in surefire
 * executions of their own, after the two-at-a-time ones. A test that keeps a core busy, or whose assertion has a
 * margin of a second or less, takes the machine for itself: {@code @ResourceLock(ThreeAtATime.MACHINE)}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(ThreeAtATime.TAG)
@TestMethodOrder(MachineTestsFirst.class)
@ResourceLock(value = ThreeAtATime.MACHINE, mode = ResourceAccessMode.READ, target = ResourceLockTarget.CHILDREN)
public @interface ThreeAtATime {
    /** The JUnit tag that puts a class in the executions of its own. */
    String TAG = "three-at-a-time";

    /** The key of the lock every test of such a class reads, and a test that must run alone takes to write. */
    String MACHINE = TwoAtATime.MACHINE;
}
