package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lockwatch.it.harness.ReportSchema;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * The schema is strict where it matters: the item schemas of {@code deadlocks} and {@code hazards} reject
 * findings that lack what a user needs. (Every report the other tests produce must pass it.)
 */
class ReportSchemaTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final String THREAD = "{\"name\": \"%s\", \"id\": %d, \"state\": \"%s\","
            + " \"waitingFor\": {\"lock\": \"java.lang.Object@1a\", \"class\": \"java.lang.Object\", \"identityHash\": \"1a\"},"
            + " \"owner\": {\"name\": \"%s\", \"id\": 2}, \"waitingMillis\": 2100,"
            + " \"holds\": [{\"lock\": \"java.lang.Object@2b\", \"class\": \"java.lang.Object\", \"identityHash\": \"2b\","
            + " \"at\": \"A.run(A.java:3)\"}], \"stack\": [\"A.run(A.java:3)\"]}";

    private static String thread(String name, long id, String state, String owner) {
        return String.format(THREAD, name, id, state, owner);
    }

    private static ObjectNode report(String deadlocks, String hazards) throws Exception {
        // Every stat the schema requires, at 0: this test is about findings, not about the list of stats.
        JsonNode schema = MAPPER.readTree(Paths.get(System.getProperty("lockwatch.reportSchema")).toFile());
        StringBuilder stats = new StringBuilder();
        for (JsonNode name : schema.get("properties").get("stats").get("required")) {
            if (stats.length() > 0) stats.append(", ");
            stats.append('"').append(name.asText()).append("\": 0");
        }
        String json = "{\"formatVersion\": 1, \"agent\": {\"name\": \"lockwatch\", \"version\": \"x\","
                + " \"jvm\": {\"name\": \"n\", \"version\": \"v\", \"vendor\": \"v\"}, \"pid\": 1, \"hostName\": \"h\","
                + " \"startTime\": \"2026-01-01T00:00:00Z\", \"writtenAt\": \"2026-01-01T00:00:01Z\","
                + " \"options\": {\"report\": \"r\", \"port\": \"off\", \"stall-threshold\": \"2s\", \"stack-depth\": \"64\"},"
                + " \"optionProblems\": []}, \"potentialDeadlocks\": [], \"deadlocks\": [" + deadlocks + "],"
                + " \"hazards\": [" + hazards + "], \"stats\": {" + stats + "}}";
        return (ObjectNode) MAPPER.readTree(json);
    }

    private static final String DEADLOCK = "{\"id\": 1, \"kind\": \"deadlock\", \"foundAt\": \"2026-01-01T00:00:01Z\","
            + " \"threads\": [\"a\", \"b\"], \"locks\": [\"java.lang.Object@1a\", \"java.lang.Object@2b\"], \"cycle\": ["
            + thread("a", 1, "BLOCKED", "b") + ", " + thread("b", 2, "BLOCKED", "a") + "]}";

    private static final String STALL = "{\"id\": 1, \"kind\": \"stall\", \"foundAt\": \"2026-01-01T00:00:01Z\","
            + " \"threads\": [\"waiter\", \"signaller\"], \"locks\": [\"java.lang.Object@2b\"],"
            + " \"waitingOn\": \"java.util.concurrent.CountDownLatch$Sync@3c\","
            + " \"heldLocks\": [{\"lock\": \"java.lang.Object@2b\", \"class\": \"java.lang.Object\", \"identityHash\": \"2b\"}],"
            + " \"waiter\": " + thread("waiter", 1, "WAITING", "x") + ", \"blocked\": [" + thread("signaller", 2, "BLOCKED", "waiter") + "]}";

    private static final String SELF_JOIN = "{\"id\": 2, \"kind\": \"self_join\", \"foundAt\": \"2026-01-01T00:00:01Z\","
            + " \"threads\": [\"joiner\"], \"locks\": [], \"thread\": {\"name\": \"joiner\", \"id\": 3},"
            + " \"call\": \"join()\", \"site\": \"A.run(A.java:3)\", \"stack\": [\"A.run(A.java:3)\"]}";

    @Test
    void wellFormedFindingsPass() throws Exception {
        ObjectNode report = report(DEADLOCK, STALL + ", " + SELF_JOIN);
        assertTrue(ReportSchema.problems(report).isEmpty(), ReportSchema.problems(report).toString());
    }

    @Test
    void aDeadlockWithoutItsCycleFails() throws Exception {
        ObjectNode report = report(DEADLOCK, "");
        ((ObjectNode) report.get("deadlocks").get(0)).remove("cycle");
        assertFalse(ReportSchema.problems(report).isEmpty());
    }

    @Test
    void aDeadlockThreadWithoutItsStackFails() throws Exception {
        ObjectNode report = report(DEADLOCK, "");
        ((ObjectNode) report.get("deadlocks").get(0).get("cycle").get(1)).remove("stack");
        assertFalse(ReportSchema.problems(report).isEmpty());
    }

    @Test
    void aStallWithoutTheBlockedThreadsFails() throws Exception {
        ObjectNode report = report("", STALL);
        ((ObjectNode) report.get("hazards").get(0)).remove("blocked");
        assertFalse(ReportSchema.problems(report).isEmpty());
    }

    @Test
    void anUnknownHazardKindFails() throws Exception {
        ObjectNode report = report("", SELF_JOIN);
        ((ObjectNode) report.get("hazards").get(0)).put("kind", "selfjoin");
        assertFalse(ReportSchema.problems(report).isEmpty());
    }

    @Test
    void aHazardWithoutAnIdFails() throws Exception {
        ObjectNode report = report("", SELF_JOIN);
        ((ObjectNode) report.get("hazards").get(0)).remove("id");
        JsonNode hazard = report.get("hazards").get(0);
        assertFalse(ReportSchema.problems(report).isEmpty(), hazard.toString());
    }
}
