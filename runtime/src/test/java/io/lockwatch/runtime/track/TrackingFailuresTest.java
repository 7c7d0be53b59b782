package io.lockwatch.runtime.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * When failures on the tracking paths stop tracking: at the thousandth within a second, once, and never for
 * failures spread thinner or for the application's own stack overflows. The child-JVM test of the whole
 * path is {@code RecurringFailureTest}.
 */
class TrackingFailuresTest {
    private static final long START = 5_000_000_000L;
    private static final long MILLI = 1_000_000L;
    private final RuntimeException failure = new IllegalStateException("recurring");

    @Test
    void theThousandthFailureWithinASecondTripsIt() {
        TrackingFailures failures = new TrackingFailures(START);
        for (int i = 1; i < TrackingFailures.LIMIT; i++) {
            assertFalse(failures.trips(failure, START + i * 500_000L), "failure " + i);
        }
        assertTrue(failures.trips(failure, START + 999 * MILLI));
    }

    @Test
    void itTripsOnceInTheJvmsLife() {
        TrackingFailures failures = new TrackingFailures(START);
        int trips = 0;
        for (int i = 0; i < 5 * TrackingFailures.LIMIT; i++) {
            if (failures.trips(failure, START + i * 1_000L)) trips++;
        }
        assertEquals(1, trips);
    }

    @Test
    void fewerThanTheLimitInEverySecondNeverTripIt() {
        TrackingFailures failures = new TrackingFailures(START);
        long perSecond = TrackingFailures.LIMIT - 1;
        for (int second = 0; second < 20; second++) {
            for (int i = 0; i < perSecond; i++) {
                long at = START + second * TrackingFailures.WINDOW_NANOS + i * (TrackingFailures.WINDOW_NANOS / perSecond);
                assertFalse(failures.trips(failure, at), "second " + second + ", failure " + i);
            }
        }
    }

    @Test
    void stackOverflowsAreTheApplicationsAndNeverTripIt() {
        TrackingFailures failures = new TrackingFailures(START);
        StackOverflowError overflow = new StackOverflowError();
        for (int i = 0; i < 3 * TrackingFailures.LIMIT; i++) {
            assertFalse(failures.trips(overflow, START + i * 1_000L), "overflow " + i);
        }
        for (int i = 1; i < TrackingFailures.LIMIT; i++) assertFalse(failures.trips(failure, START + 5 * MILLI));
        assertTrue(failures.trips(failure, START + 6 * MILLI), "other failures still count");
    }
}
