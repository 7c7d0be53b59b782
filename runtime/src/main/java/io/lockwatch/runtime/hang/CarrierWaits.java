package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.track.LockStack;
import io.lockwatch.runtime.track.ThreadRegistry;
import io.lockwatch.runtime.util.JdkFields;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;

/**
 * The running virtual holders that wait for a carrier thread: {@code RUNNABLE}, yet not run since the last check,
 * because every carrier of the scheduler is taken. The JDK's own state of a virtual thread tells that it is unmounted
 * and ready (unparked, done yielding, or handed a monitor it was blocked on); seen so at two checks in a row with the
 * same count of unmounts ({@link LockStack#parksNow}), it has not run in between: a thread that ran would have unmounted
 * again to be found unmounted, and every unmount counts. One check alone cannot tell: a thread that yields in a loop,
 * or parks briefly again and again, is caught unmounted now and then although it gets carriers.
 *
 * <p>Read from the JDK's private {@code VirtualThread.state} and its named values (the agent opens
 * {@code java.lang}): JDK 21's "runnable, unmounted" is {@code RUNNABLE}; later JDKs split it into
 * {@code UNPARKED}, {@code YIELDED} and (JDK 24 and later) {@code UNBLOCKED}. A JDK with none of these, or a state it
 * cannot read, gives no such holder: missed, never invented. Used by the hang detector's thread only.
 */
final class CarrierWaits {
    private static final Class<?> VIRTUAL_THREAD = ThreadRegistry.virtualThreadClass();

    /**
     * The state field and its named values, looked up once a virtual thread is met, not when the hang detector starts
     * in {@code premain}: reading the values initializes {@code VirtualThread}, whose initializer makes the virtual
     * threads' scheduler (a ForkJoinPool, its lambdas; ~9 ms of a JDK 25 start-up), and looking up a field loads the
     * types of all of the class's fields, ForkJoinPool among them, which premain would then retransform (and JDK 25
     * verify again, ~7 ms). A service without virtual threads needs none of it.
     */
    private static final class States {
        static final Field STATE = JdkFields.field(VIRTUAL_THREAD, "state");
        static final int SUSPENDED = named("SUSPENDED", 0);
        static final int UNBLOCKED = named("UNBLOCKED", -1);
        static final int[] READY = {named("RUNNABLE", -1), named("UNPARKED", -1), named("YIELDED", -1), UNBLOCKED};
    }

    /** A holder seen unmounted and ready at a check. */
    private static final class Seen {
        final int parks;
        /** Handed the monitor it was blocked on: the monitor on top of its stack is one it waits to enter again. */
        final boolean enteringMonitor;

        Seen(int parks, boolean enteringMonitor) {
            this.parks = parks;
            this.enteringMonitor = enteringMonitor;
        }
    }

    private Map<Long, Seen> lastCheck = new HashMap<>();
    private Map<Long, Seen> thisCheck = new HashMap<>();

    /** Starts a check: what the last one noted becomes the previous check's. */
    void startCheck() {
        Map<Long, Seen> previous = lastCheck;
        lastCheck = thisCheck;
        thisCheck = previous;
        thisCheck.clear();
    }

    /**
     * Notes a running virtual holder at this check, from the JDK's state of it now, read between two reads of its
     * count of unmounts: ready only when the count did not change meanwhile, so that the count noted is the one it had
     * when it was seen ready. (The copy's count, taken when the registry swept the threads, may be older than that: a
     * thread that ran until after the sweep and unmounted before this reading would have looked as if it had not run.)
     */
    void note(LockStack holder) {
        int before = holder.parksNow();
        int state = stateOf(holder.thread);
        if (state < 0) return; // not a virtual thread, or its state cannot be read: never ready
        int after = holder.parksNow();
        note(holder.threadId, after, isReady(state) && before == after, state == States.UNBLOCKED);
    }

    /** Notes a holder as a state of the JDK's would: for {@link #note} and the tests. */
    void note(long threadId, int parks, boolean ready, boolean enteringMonitor) {
        if (ready) thisCheck.put(threadId, new Seen(parks, enteringMonitor));
    }

    /** Whether the holder has waited for a carrier since the last check at least: unmounted and ready at both. */
    boolean waitedSinceLastCheck(long threadId) {
        Seen now = thisCheck.get(threadId);
        Seen before = lastCheck.get(threadId);
        return now != null && before != null && now.parks == before.parks;
    }

    /** Whether the holder, as this check saw it, waits to enter the monitor on top of its stack again. */
    boolean entersMonitor(long threadId) {
        Seen now = thisCheck.get(threadId);
        return now != null && now.enteringMonitor;
    }

    private static boolean isReady(int state) {
        if (state < 0) return false; // -1 also stands for a name this JDK lacks
        for (int ready : States.READY) {
            if (state == ready) return true;
        }
        return false;
    }

    /** The virtual thread's state without the suspended bit, or -1 when it cannot be read. */
    private static int stateOf(Thread thread) {
        if (!ThreadRegistry.isVirtual(thread)) return -1;
        try {
            // An instance exists, so VirtualThread is initialized already.
            return States.STATE == null ? -1 : States.STATE.getInt(thread) & ~States.SUSPENDED;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * One of {@code VirtualThread}'s named states, or {@code absent} when this JDK has no such name (or one that is not
     * a number: {@code getInt} takes a {@code short} or a {@code byte} too, and throws for anything else).
     */
    private static int named(String name, int absent) {
        Field constant = JdkFields.field(VIRTUAL_THREAD, name);
        if (constant == null) return absent;
        try {
            return constant.getInt(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return absent;
        }
    }
}
