package io.lockwatch.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The metrics options: contention-threshold, max-sites, max-series. */
class MetricsOptionsTest {
    private static Options parse(String args) {
        return Options.parse(args, Map.of(), Map.of(), 1);
    }

    @Test
    void defaults() {
        Options o = parse(null);
        assertEquals(10, o.contentionThresholdMillis());
        assertEquals(100, o.maxSites());
        assertEquals(500, o.maxSeries());
        assertEquals(-1, o.port());
        assertEquals("10ms", o.effective().get("contention-threshold"));
        assertTrue(o.problems().isEmpty());
    }

    @Test
    void valuesAreRead() {
        Options o = parse("contention-threshold=0ms,max-sites=5,max-series=2000,port=0");
        assertEquals(0, o.contentionThresholdMillis());
        assertEquals(5, o.maxSites());
        assertEquals(2000, o.maxSeries());
        assertEquals(0, o.port());
        assertTrue(o.problems().isEmpty(), o.problems().toString());
    }

    @Test
    void badValuesAreOneProblemEachAndTheDefaultIsUsed() {
        Options o = parse("contention-threshold=fast,max-sites=0,max-series=99");
        assertEquals(3, o.problems().size(), o.problems().toString());
        assertTrue(o.problems().get(0).contains("contention-threshold") && o.problems().get(0).contains("'fast'"));
        assertTrue(o.problems().get(1).contains("max-sites") && o.problems().get(1).contains("1 to 100000"));
        assertTrue(o.problems().get(2).contains("max-series") && o.problems().get(2).contains("100 to 1000000"));
        assertEquals(10, o.contentionThresholdMillis());
        assertEquals(100, o.maxSites());
        assertEquals(500, o.maxSeries());
    }

    @Test
    void environmentAndSystemPropertiesWork() {
        Options o = Options.parse(null, Map.of("lockwatch.max-sites", "7"), Map.of("LOCKWATCH_CONTENTION_THRESHOLD", "2s"), 1);
        assertEquals(7, o.maxSites());
        assertEquals(2000, o.contentionThresholdMillis());
    }
}
