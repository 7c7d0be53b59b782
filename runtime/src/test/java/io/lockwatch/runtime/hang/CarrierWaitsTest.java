package io.lockwatch.runtime.hang;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When a running virtual holder counts as waiting for a carrier: unmounted and ready at two checks, not run between. */
class CarrierWaitsTest {
    private static final long HOLDER = 42;
    private final CarrierWaits waits = new CarrierWaits();

    private void check(int parks, boolean ready) {
        waits.startCheck();
        waits.note(HOLDER, parks, ready, false);
    }

    @Test
    void readyAtTwoChecksInARowWithoutAnUnmountBetweenIsAWaitForACarrier() {
        check(7, true);
        check(7, true);
        assertTrue(waits.waitedSinceLastCheck(HOLDER));
    }

    @Test
    void oneCheckCannotTell() {
        check(7, true);
        assertFalse(waits.waitedSinceLastCheck(HOLDER), "caught unmounted once: it may get a carrier the next moment");
    }

    /** A loop that yields (or parks briefly) under a lock is caught unmounted now and then, yet runs between. */
    @Test
    void aThreadThatUnmountedAgainBetweenTheChecksRan() {
        check(7, true);
        check(9, true);
        assertFalse(waits.waitedSinceLastCheck(HOLDER));
    }

    @Test
    void aThreadOnACarrierAtEitherCheckIsNoWait() {
        check(7, false);
        check(7, true);
        assertFalse(waits.waitedSinceLastCheck(HOLDER));
        check(7, false);
        assertFalse(waits.waitedSinceLastCheck(HOLDER));
    }

    @Test
    void aCheckWithoutTheHolderForgetsIt() {
        check(7, true);
        waits.startCheck();
        check(7, true);
        assertFalse(waits.waitedSinceLastCheck(HOLDER));
    }

    @Test
    void onlyAThreadHandedItsMonitorEntersIt() {
        waits.startCheck();
        waits.note(HOLDER, 7, true, true);
        waits.note(HOLDER + 1, 7, true, false);
        assertTrue(waits.entersMonitor(HOLDER));
        assertFalse(waits.entersMonitor(HOLDER + 1));
    }
}
