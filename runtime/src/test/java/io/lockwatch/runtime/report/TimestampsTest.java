package io.lockwatch.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimestampsTest {
    @Test
    void knownInstants() {
        assertEquals("1970-01-01T00:00:00.000Z", Timestamps.iso(0));
        assertEquals("2000-02-29T23:59:59.999Z", Timestamps.iso(Instant.parse("2000-02-29T23:59:59.999Z").toEpochMilli()));
        assertEquals("1969-12-31T23:59:59.999Z", Timestamps.iso(-1));
    }

    @Test
    void sameInstantAsJavaTimeOverFourHundredYears() {
        SplittableRandom random = new SplittableRandom(42);
        long from = Instant.parse("1800-01-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("2200-01-01T00:00:00Z").toEpochMilli();
        for (int i = 0; i < 100_000; i++) {
            long millis = random.nextLong(from, to);
            String text = Timestamps.iso(millis);
            assertEquals(millis, Instant.parse(text).toEpochMilli(), text);
            assertTrue(text.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z"), text);
        }
    }
}
