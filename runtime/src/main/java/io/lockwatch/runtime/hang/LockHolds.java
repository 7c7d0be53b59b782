package io.lockwatch.runtime.hang;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * How long each lock that threads wait for has had the same owner, as the checks saw it. A lock is followed only
 * while some thread waits for it, and its hold starts again whenever a check sees another owner: a lock that busy
 * threads take in turn, each briefly, is never one long hold, however long one waiter has waited for it.
 * Only the detector thread uses it.
 */
final class LockHolds {
    /** One owner's hold on one lock. */
    static final class Hold {
        final long owner;
        /** The first check that saw this owner hold the lock while another thread waited for it. */
        final long since;
        /** The owner's CPU time then (ns), or -1 when not measured. */
        final long ownerCpuAtStart;
        boolean reported;

        Hold(long owner, long since, long ownerCpuAtStart) {
            this.owner = owner;
            this.since = since;
            this.ownerCpuAtStart = ownerCpuAtStart;
        }
    }

    /**
     * For owners whose CPU time the JVM does not measure (virtual threads). A class, not a lambda: a lambda's class is
     * spun when first used, and lockwatch spins none of its own before the application's main.
     */
    static final LongUnaryOperator NOT_MEASURED = new LongUnaryOperator() {
        @Override
        public long applyAsLong(long owner) {
            return -1;
        }
    };

    private final Map<String, Hold> holds = new HashMap<>();

    /**
     * @param ownerByLock every lock some thread waits for in this check's snapshot, by name, with its owner
     * @param ownerCpu the CPU time (ns) of an owner whose hold starts now, or -1 when not measured
     */
    void update(Map<String, Long> ownerByLock, long now, LongUnaryOperator ownerCpu) {
        holds.keySet().retainAll(ownerByLock.keySet());
        for (Map.Entry<String, Long> e : ownerByLock.entrySet()) {
            long owner = e.getValue();
            Hold hold = holds.get(e.getKey());
            if (hold == null || hold.owner != owner) {
                holds.put(e.getKey(), new Hold(owner, now, ownerCpu.applyAsLong(owner)));
            }
        }
    }

    /** @return the lock's current hold, or null when no thread waited for it at the last check */
    Hold of(String lockName) {
        return holds.get(lockName);
    }
}
