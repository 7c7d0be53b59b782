package io.lockwatch.runtime.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void parsesUnits() {
        assertEquals(250, Durations.parseMillis("250ms"));
        assertEquals(2000, Durations.parseMillis("2s"));
        assertEquals(60_000, Durations.parseMillis("1m"));
        assertEquals(3_600_000, Durations.parseMillis("1h"));
    }

    @Test
    void rejectsWhatIsNotADuration() {
        for (String bad : new String[] {"", "5", "s", "-1s", "1.5s", "2 seconds", "10d"}) {
            assertEquals(-1, Durations.parseMillis(bad), bad);
        }
    }

    @Test
    void formatsTheShortestWay() {
        assertEquals("10s", Durations.format(10_000));
        assertEquals("250ms", Durations.format(250));
        assertEquals("2m", Durations.format(120_000));
    }
}
