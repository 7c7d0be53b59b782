package io.lockwatch.it.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** A report, with the assertions the tests make about it. */
public final class Report {
    public final JsonNode json;
    private final ChildResult child;

    Report(JsonNode json, ChildResult child) {
        this.json = json;
        this.child = child;
    }

    public JsonNode potentialDeadlocks() {
        return json.get("potentialDeadlocks");
    }

    public long stat(String name) {
        return json.get("stats").get(name).asLong();
    }

    public JsonNode deadlocks() {
        return json.get("deadlocks");
    }

    public JsonNode hazards() {
        return json.get("hazards");
    }

    /** Exactly one deadlock; returns it. */
    public JsonNode singleDeadlock() {
        assertEquals(1, deadlocks().size(), "expected exactly one deadlock in " + child.dir + ", got:\n"
                + deadlocks().toPrettyString() + "\nstderr:\n" + child.stderr);
        return deadlocks().get(0);
    }

    /** Exactly one hazard, of this kind; returns it. */
    public JsonNode singleHazard(String kind) {
        assertEquals(1, hazards().size(), "expected exactly one hazard in " + child.dir + ", got:\n"
                + hazards().toPrettyString() + "\nstderr:\n" + child.stderr);
        JsonNode hazard = hazards().get(0);
        assertEquals(kind, hazard.get("kind").asText(), hazard.toPrettyString());
        return hazard;
    }

    public Report assertNoHangFindings() {
        assertEquals(0, deadlocks().size(), "expected no deadlock, got:\n" + deadlocks().toPrettyString());
        assertEquals(0, hazards().size(), "expected no hazard, got:\n" + hazards().toPrettyString());
        return this;
    }

    /** The names in a finding's {@code threads}, sorted. */
    public static List<String> threadNames(JsonNode finding) {
        return sortedStrings(finding.get("threads"));
    }

    /** A JSON array of strings, in its order. */
    public static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : array) out.add(s.asText());
        return out;
    }

    public static List<String> sortedStrings(JsonNode array) {
        List<String> out = strings(array);
        out.sort(null);
        return out;
    }

    public Report assertNoPotentialDeadlocks() {
        assertEquals(0, potentialDeadlocks().size(), "expected no potential deadlock, got:\n" + json.toPrettyString());
        return this;
    }

    /** Exactly one potential deadlock; returns it. */
    public JsonNode singlePotentialDeadlock() {
        assertEquals(1, potentialDeadlocks().size(),
                "expected exactly one potential deadlock in " + child.dir + ", got:\n" + potentialDeadlocks().toPrettyString()
                        + "\nstderr:\n" + child.stderr);
        return potentialDeadlocks().get(0);
    }

    /** Asserts the finding's locks are of these classes (any order) and its stacks show the program. */
    public static void assertFinding(JsonNode finding, Class<?> program, String... lockClasses) {
        List<String> classes = new ArrayList<>();
        for (JsonNode edge : finding.get("edges")) classes.add(edge.get("held").get("class").asText());
        List<String> expected = new ArrayList<>(List.of(lockClasses));
        classes.sort(null);
        expected.sort(null);
        assertEquals(expected, classes, "lock classes of the cycle: " + finding.toPrettyString());
        List<String> threads = new ArrayList<>();
        for (JsonNode edge : finding.get("edges")) {
            threads.add(edge.get("thread").get("name").asText());
            assertTrue(mentions(edge.get("heldStack"), program), "heldStack should reach " + program.getName() + ": " + edge);
            assertTrue(mentions(edge.get("takenStack"), program), "takenStack should reach " + program.getName() + ": " + edge);
        }
        assertEquals(threads.size(), threads.stream().distinct().count(), "one thread per edge: " + threads);
    }

    public static boolean mentions(JsonNode frames, Class<?> program) {
        String outer = program.getName();
        for (JsonNode frame : frames) {
            if (frame.asText().startsWith(outer + ".") || frame.asText().startsWith(outer + "$")) return true;
        }
        return false;
    }
}
