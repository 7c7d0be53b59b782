package io.lockwatch.runtime.track;

/**
 * What a leaf critical section's {@code monitorenter} calls (see {@link LockTracker#leafEntry}): one of two
 * instances, picked by whether the thread holds anything, and called virtually from the lock site itself.
 *
 * <p>Why a virtual call rather than a branch in a static method: C2 removes the lock of an object that never
 * leaves its thread (an object made and locked in one method), unless the object escapes, and the order
 * check stores the lock into the graph. A branch inside a method that every site
 * inlines is profiled once for the whole JVM: once any thread took a leaf while holding something, every
 * site compiled the check in, and no lock was eliminated anywhere (twenty-fourth round, point 8). The
 * receiver type of a virtual call is profiled at each call site instead, so a site where nothing was ever
 * held sees only {@link NothingHeld}, C2 compiles that alone (with a deoptimization trap for the other), and
 * the object stays the JIT's to eliminate. A site that has seen both compiles both, as the branch did.
 */
public abstract class LeafEntry {
    static final LeafEntry NOTHING_HELD = new NothingHeld();
    static final LeafEntry ORDER_CHECK = new OrderCheck();

    LeafEntry() {}

    /** Loads and initializes this class and both kinds (see {@link LockTracker#start}). */
    static void load() {}

    /**
     * Before the {@code monitorenter} of the leaf section at {@code site}.
     *
     * @param state the thread's state as {@link LockTracker#threadState} returned it
     */
    public abstract void enter(Object monitor, int site, Object state);

    /** Nothing to check: the thread holds nothing, is lockwatch's own, or lockwatch is off. */
    private static final class NothingHeld extends LeafEntry {
        @Override
        public void enter(Object monitor, int site, Object state) {}
    }

    /** The locks held so far against this one. */
    private static final class OrderCheck extends LeafEntry {
        @Override
        public void enter(Object monitor, int site, Object state) {
            LockTracker.checkLeafOrder(monitor, site, (ThreadState) state);
        }
    }
}
