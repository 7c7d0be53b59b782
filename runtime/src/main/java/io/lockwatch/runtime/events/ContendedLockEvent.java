package io.lockwatch.runtime.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * A {@code java.util.concurrent.locks} lock that a thread had to wait for. Only acquisitions that could
 * block are timed at all; the event is committed when the wait reached the threshold.
 */
@Name(ContendedLockEvent.NAME)
@Label("Contended Lock")
@Category("lockwatch")
@Description("A thread waited to acquire a ReentrantLock or a read/write lock")
@StackTrace(false) // the site says where, without the cost of a stack walk
@Threshold(ContendedLockEvent.DEFAULT_THRESHOLD)
public final class ContendedLockEvent extends Event {
    public static final String NAME = "lockwatch.ContendedLock";
    public static final String DEFAULT_THRESHOLD = "10 ms";

    @Label("Kind")
    @Description("reentrant_lock, read_lock or write_lock")
    public String kind;

    @Label("Lock Class")
    public Class<?> lockClass;

    @Label("Owner")
    @Description("The thread that held the lock when the wait began, where known")
    public Thread owner;

    @Label("Site")
    @Description("Class.method:line of the acquisition")
    public String site;
}
