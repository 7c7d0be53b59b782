package io.lockwatch.runtime.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * A wait on a synchronizer no thread owns: a condition, a semaphore, a latch, a barrier or a phaser.
 * Committed when the wait reached the threshold.
 */
@Name(WaitEvent.NAME)
@Label("Synchronizer Wait")
@Category("lockwatch")
@Description("A thread waited on a Condition, Semaphore, CountDownLatch, CyclicBarrier or Phaser")
@StackTrace(false)
@Threshold(ContendedLockEvent.DEFAULT_THRESHOLD)
public final class WaitEvent extends Event {
    public static final String NAME = "lockwatch.Wait";

    @Label("Kind")
    @Description("condition, semaphore, latch, barrier or phaser")
    public String kind;

    @Label("Synchronizer Class")
    public Class<?> lockClass;

    @Label("Site")
    @Description("Class.method:line of the wait")
    public String site;
}
