package io.lockwatch.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.runtime.util.HostName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EarlierReportTest {
    @TempDir
    Path dir;

    private EarlierReport read(String text) throws IOException {
        Path file = dir.resolve("lockwatch.json");
        Files.writeString(file, text);
        return EarlierReport.at(file);
    }

    private static String report(String hostName, String findings) {
        return "{\"formatVersion\": 1, \"agent\": {\"name\": \"lockwatch\", \"pid\": 7, "
                + (hostName == null ? "" : "\"hostName\": \"" + hostName + "\", ")
                + "\"startTime\": \"2026-12-05T12:00:00.000Z\", \"options\": {\"host\": \"0.0.0.0\"}},"
                + " \"potentialDeadlocks\": " + findings + ", \"deadlocks\": [], \"hazards\": [ ],"
                + " \"stats\": {\"threadsDeadlockedNow\": 0}}";
    }

    @Test
    void readsWhoseReportItIs() throws IOException {
        EarlierReport earlier = read(report("box-a", "[]"));
        assertEquals(7, earlier.pid);
        assertEquals("box-a", earlier.host);
        assertEquals("2026-12-05T12:00:00.000Z", earlier.startTime);
        assertFalse(earlier.hasFindings);
        assertTrue(earlier.isOf(7, "box-a", "2026-12-05T12:00:00.000Z"));
        assertFalse(earlier.isOf(7, "box-b", "2026-12-05T12:00:00.000Z"));
        assertFalse(earlier.isOf(7, "box-a", "2026-12-05T12:00:01.000Z"));
    }

    /** Read as JSON writes it: any spacing around the colon, escapes in a string, a key's first value not the one. */
    @Test
    void readsTheFieldsWhateverTheSpacingAndEscapes() throws IOException {
        EarlierReport earlier = read("{\"agent\": {\"pid\": \"none\", \"pid\"\n :\t42, \"hostName\" :"
                + "\"box \\\"a\\\"\", \"startTime\":\"t\"}, \"deadlocks\" : [\n ], \"hazards\":[\r\n\t]}");
        assertEquals(42, earlier.pid);
        assertEquals("box \\\"a\\\"", earlier.host, "as written, escapes left in");
        assertEquals("t", earlier.startTime);
        assertFalse(earlier.hasFindings);
        assertTrue(read("{\"pid\": 1, \"deadlocks\"\n: [ \n{\"id\": 1}]}").hasFindings);
        assertNull(read("{\"pid\": \"1\"}"), "a pid that is no number: no report of ours");
    }

    @Test
    void findingsInAnyListCount() throws IOException {
        assertTrue(read(report("box-a", "[{\"id\": 1}]")).hasFindings);
        assertTrue(read(report("box-a", "[]").replace("\"hazards\": [ ]", "\"hazards\": [\n  {\"id\": 2}]")).hasFindings);
    }

    /** A report from before reports named their host: the options' "host" (the endpoint's) is not taken for it. */
    @Test
    void aReportWithoutItsHostNameCountsAsThisHosts() throws IOException {
        EarlierReport earlier = read(report(null, "[]"));
        assertEquals(HostName.UNKNOWN, earlier.host);
        assertTrue(earlier.sameHost("anything"));
        assertFalse(earlier.mayStillBeRunning(7, "anything"), "this JVM's own pid: the JVM before it has ended");
    }

    @Test
    void aReportFromAnotherHostMayStillBeRunning() throws IOException {
        assertTrue(read(report("box-a", "[]")).mayStillBeRunning(7, "box-b"));
        assertFalse(read(report("box-a", "[]")).mayStillBeRunning(7, "box-a"));
    }

    /** On this host, the report is left to its JVM while that process is alive. */
    @Test
    void aReportOfAProcessOnThisHostMayStillBeRunningWhileItIsAlive() throws Exception {
        long self = ProcessHandle.current().pid();
        assertTrue(EarlierReport.isAlive(self));
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor(); // reaped: gone from /proc
        assertFalse(EarlierReport.isAlive(ended.pid()));
        assertTrue(read(report("box-a", "[]").replace("\"pid\": 7", "\"pid\": " + self)).mayStillBeRunning(7, "box-a"));
        assertFalse(read(report("box-a", "[]").replace("\"pid\": 7", "\"pid\": " + ended.pid()))
                .mayStillBeRunning(7, "box-a"));
    }

    @Test
    void aFileThatIsNoReportIsNone() throws IOException {
        assertNull(read("just some text"));
        assertNull(EarlierReport.at(dir.resolve("absent.json")));
    }
}
