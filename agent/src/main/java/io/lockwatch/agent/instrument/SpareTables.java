package io.lockwatch.agent.instrument;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One set of a transformer's work tables kept for the next class, for whichever thread asks first, and held
 * weakly: a garbage collection gives it back. Classes load in bursts, with far fewer collections than classes
 * in between, so the tables are still reused for nearly every class; but they are not live data the host's
 * young collections copy again and again from its start-up on, which on JDK 17 moves how G1 sizes the host's
 * heap (fifty-sixth round of bench/PERFORMANCE-ROUNDS.md).
 *
 * <p>A set is handed back through the weak reference it made for itself ({@link Kept#handle}), so keeping it
 * allocates nothing.
 */
final class SpareTables<T extends SpareTables.Kept<T>> {
    /** What a set of tables carries: the weak reference to itself that {@link #keep} hands over. */
    abstract static class Kept<T> {
        @SuppressWarnings("unchecked")
        final WeakReference<T> handle = new WeakReference<>((T) this);
    }

    private final AtomicReference<WeakReference<T>> spare = new AtomicReference<>();

    /** @return the kept set, now the caller's alone, or null when there is none (taken, or collected) */
    T take() {
        WeakReference<T> kept = spare.getAndSet(null);
        return kept == null ? null : kept.get();
    }

    /** Keeps {@code tables} for the next caller of {@link #take}. */
    void keep(T tables) {
        spare.set(tables.handle);
    }
}
