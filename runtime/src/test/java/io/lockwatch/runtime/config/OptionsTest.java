package io.lockwatch.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {
    private static Options parse(String args, Map<String, String> props, Map<String, String> env) {
        return Options.parse(args, props, env, 42);
    }

    @Test
    void defaults() {
        Options o = parse(null, Map.of(), Map.of());
        assertEquals("lockwatch-42.json", o.reportPath());
        assertEquals(-1, o.port());
        assertEquals(10_000, o.stallThresholdMillis());
        assertEquals(64, o.stackDepth());
        assertTrue(o.problems().isEmpty());
    }

    /** %p is the process id, as in the JVM's own file options: one report= in JAVA_TOOL_OPTIONS, a report per JVM. */
    @Test
    void percentPInTheReportPathIsThePid() {
        assertEquals("/var/log/lockwatch-42.json", parse("report=/var/log/lockwatch-%p.json", Map.of(), Map.of()).reportPath());
        assertEquals("/tmp/42/lw-42.json", parse(null, Map.of(), Map.of("LOCKWATCH_REPORT", "/tmp/%p/lw-%p.json")).reportPath());
    }

    @Test
    void agentArgumentWinsOverPropertyWhichWinsOverEnvironment() {
        Options o = parse("stack-depth=32",
                Map.of("lockwatch.stack-depth", "48", "lockwatch.stall-threshold", "250ms"),
                Map.of("LOCKWATCH_STACK_DEPTH", "16", "LOCKWATCH_STALL_THRESHOLD", "1m", "LOCKWATCH_PORT", "9404"));
        assertEquals(32, o.stackDepth());
        assertEquals(250, o.stallThresholdMillis());
        assertEquals(9404, o.port());
    }

    @Test
    void everyBadInputIsOneProblemNamingKeyValueAndWhatIsAccepted() {
        Options o = parse("bogus=1,port=70000,stall-threshold=5,stack-depth=2,report", Map.of(), Map.of());
        assertEquals(5, o.problems().size(), o.problems().toString());
        assertTrue(o.problems().get(0).contains("'bogus'"));
        assertTrue(o.problems().stream().anyMatch(p -> p.contains("port") && p.contains("'70000'") && p.contains("0 to 65535")));
        assertTrue(o.problems().stream().anyMatch(p -> p.contains("stall-threshold") && p.contains("'5'")));
        assertTrue(o.problems().stream().anyMatch(p -> p.contains("stack-depth") && p.contains("'2'")));
        assertTrue(o.problems().stream().anyMatch(p -> p.contains("'report' has no value")));
        assertEquals(64, o.stackDepth(), "bad values fall back to the default");
    }

    @Test
    void unknownPropertiesAndEnvironmentVariablesAreNamed() {
        Options o = parse(null, Map.of("lockwatch.reprot", "x"), Map.of("LOCKWATCH_PROT", "1"));
        assertEquals(2, o.problems().size());
        assertTrue(o.problems().stream().anyMatch(p -> p.contains("-Dlockwatch.reprot")));
        assertTrue(o.problems().stream().anyMatch(p -> p.contains("LOCKWATCH_PROT")));
    }

    /** enabled is a known key from every source; true and false (any case) are fine, anything else one problem. */
    @Test
    void enabledIsKnownAndOnlyABadValueIsAProblem() {
        assertTrue(parse("enabled=false", Map.of(), Map.of()).problems().isEmpty());
        assertTrue(parse(null, Map.of("lockwatch.enabled", "TRUE"), Map.of("LOCKWATCH_ENABLED", "False")).problems().isEmpty());
        Options bad = parse(null, Map.of(), Map.of("LOCKWATCH_ENABLED", "0"));
        assertEquals(1, bad.problems().size(), bad.problems().toString());
        assertTrue(bad.problems().get(0).contains("enabled") && bad.problems().get(0).contains("'0'")
                && bad.problems().get(0).contains("true (the default) or false"), bad.problems().get(0));
    }

    @Test
    void retransformIsAllUnlessMinimalIsAsked() {
        assertTrue(parse(null, Map.of(), Map.of()).retransformAll());
        assertEquals("all", parse(null, Map.of(), Map.of()).effective().get("retransform"));
        Options minimal = parse(null, Map.of("lockwatch.retransform", "minimal"), Map.of());
        assertEquals(false, minimal.retransformAll());
        assertEquals("minimal", minimal.effective().get("retransform"));
        Options bad = parse("retransform=some", Map.of(), Map.of());
        assertTrue(bad.retransformAll(), "a bad value keeps the default");
        assertEquals(1, bad.problems().size(), bad.problems().toString());
        assertTrue(bad.problems().get(0).contains("retransform") && bad.problems().get(0).contains("'some'")
                && bad.problems().get(0).contains("all") && bad.problems().get(0).contains("minimal"), bad.problems().get(0));
    }

    @Test
    void excludesAreSemicolonSeparatedPrefixes() {
        Options o = parse("exclude=com.acme.gen.; org.legacy.", Map.of(), Map.of());
        assertEquals(java.util.List.of("com.acme.gen.", "org.legacy."), o.excludes());
    }
}
