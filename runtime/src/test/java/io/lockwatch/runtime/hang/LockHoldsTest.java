package io.lockwatch.runtime.hang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A hold lasts while the checks see the same owner of a lock that someone waits for, and starts again otherwise. */
class LockHoldsTest {
    private final LockHolds holds = new LockHolds();
    private final List<Long> cpuReadFor = new ArrayList<>();

    private void check(long now, Map<String, Long> ownerByLock) {
        holds.update(ownerByLock, now, owner -> {
            cpuReadFor.add(owner);
            return owner * 1000;
        });
    }

    @Test
    void theSameOwnerAtEveryCheckIsOneHold() {
        check(100, Map.of("L@1", 7L));
        holds.of("L@1").reported = true;
        check(200, Map.of("L@1", 7L));
        check(300, Map.of("L@1", 7L, "M@2", 8L));
        LockHolds.Hold hold = holds.of("L@1");
        assertEquals(100, hold.since);
        assertEquals(7000, hold.ownerCpuAtStart);
        assertEquals(true, hold.reported);
        assertEquals(List.of(7L, 8L), cpuReadFor, "the owner's CPU time is read once, when its hold starts");
    }

    @Test
    void anotherOwnerAtACheckStartsANewHold() {
        check(100, Map.of("L@1", 7L));
        holds.of("L@1").reported = true;
        check(200, Map.of("L@1", 9L));
        LockHolds.Hold hold = holds.of("L@1");
        assertEquals(9, hold.owner);
        assertEquals(200, hold.since);
        assertFalse(hold.reported);
    }

    @Test
    void aLockNoOneWaitsForAtACheckIsForgotten() {
        check(100, Map.of("L@1", 7L));
        check(200, Map.of());
        assertNull(holds.of("L@1"));
        check(300, Map.of("L@1", 7L));
        assertEquals(300, holds.of("L@1").since, "the same owner again, but nobody waited in between: a new hold");
    }
}
