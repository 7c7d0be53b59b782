package io.lockwatch.runtime.report;

import io.lockwatch.runtime.util.HostName;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A report already at the path this JVM is about to write, read before the first write: whose it is (the pid,
 * host and start time of its agent block), and whether it holds findings. {@link Report} leaves a report of
 * another JVM that may still be running to it, and keeps a finished JVM's findings rather than write over them.
 */
final class EarlierReport {
    /**
     * Read at most this much (the agent block comes first): a report without findings is a few KiB, so a larger
     * one has findings, and is not read into the heap of the application this agent is a guest in.
     */
    private static final int READ_AT_MOST = 64 << 10;

    /** The keys read. Not "host": the options block has a key of that name (the endpoint's). */
    private static final String PID = "\"pid\"";
    private static final String HOST_NAME = "\"hostName\"";
    private static final String START_TIME = "\"startTime\"";
    /** The report's findings lists: the only lists with these names. */
    private static final String[] FINDING_LISTS = {"\"potentialDeadlocks\"", "\"deadlocks\"", "\"hazards\""};

    final long pid;
    /** As the report says, or {@link HostName#UNKNOWN} (reports from before the host was written). */
    final String host;
    final String startTime;
    final boolean hasFindings;

    private EarlierReport(long pid, String host, String startTime, boolean hasFindings) {
        this.pid = pid;
        this.host = host;
        this.startTime = startTime;
        this.hasFindings = hasFindings;
    }

    /** @return the report at that path, or null when there is none (no file, or not a lockwatch report) */
    static EarlierReport at(Path path) throws IOException {
        if (!Files.isRegularFile(path)) return null;
        byte[] head = new byte[READ_AT_MOST];
        int n;
        boolean more;
        try (FileInputStream in = new FileInputStream(path.toFile())) {
            n = in.readNBytes(head, 0, head.length);
            more = in.read() >= 0;
        }
        String text = new String(head, 0, n, StandardCharsets.UTF_8);
        // The agent block comes first: its pid, host name and start time are the first of their names in the file.
        // Read by hand, not with regular expressions: compiling those cost a restarted service's first write (often
        // its exit) about 10 ms of wall time on a slow VM (forty-first and forty-fourth performance rounds).
        String pid = digitsOf(text, PID);
        if (pid == null) return null;
        String host = stringOf(text, HOST_NAME);
        String startTime = stringOf(text, START_TIME);
        return new EarlierReport(Long.parseLong(pid), host != null ? host : HostName.UNKNOWN,
                startTime != null ? startTime : "", more || hasAFinding(text));
    }

    /** The digits of the first {@code key} whose value is a number; null if none is. */
    private static String digitsOf(String text, String key) {
        for (int v = nextValue(text, key, 0); v >= 0; v = nextValue(text, key, v)) {
            int end = v;
            while (end < text.length() && text.charAt(end) >= '0' && text.charAt(end) <= '9') end++;
            if (end > v) return text.substring(v, end);
        }
        return null;
    }

    /** The first {@code key}'s string value as written (escapes left in); null if no such key has one. */
    private static String stringOf(String text, String key) {
        for (int v = nextValue(text, key, 0); v >= 0; v = nextValue(text, key, v)) {
            if (v == text.length() || text.charAt(v) != '"') continue;
            for (int i = v + 1; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '"') return text.substring(v + 1, i);
                if (c == '\\') i++;
            }
        }
        return null;
    }

    /** Does a findings list have something in it (a list that is not {@code []})? */
    private static boolean hasAFinding(String text) {
        for (String list : FINDING_LISTS) {
            for (int v = nextValue(text, list, 0); v >= 0; v = nextValue(text, list, v)) {
                if (v == text.length() || text.charAt(v) != '[') continue;
                int first = skipSpace(text, v + 1);
                if (first < text.length() && text.charAt(first) != ']') return true;
            }
        }
        return false;
    }

    /** Where the value of the next {@code key} at or after {@code from} starts (after its colon); -1 if none. */
    private static int nextValue(String text, String key, int from) {
        for (int at = text.indexOf(key, from); at >= 0; at = text.indexOf(key, at + 1)) {
            int colon = skipSpace(text, at + key.length());
            if (colon < text.length() && text.charAt(colon) == ':') return skipSpace(text, colon + 1);
        }
        return -1;
    }

    private static int skipSpace(String text, int from) {
        int i = from;
        while (i < text.length() && " \t\n\r\f\u000B".indexOf(text.charAt(i)) >= 0) i++;
        return i;
    }

    /** Is it the report of this very JVM (written by it already)? */
    boolean isOf(long ownPid, String ownHost, String ownStartTime) {
        return pid == ownPid && sameHost(ownHost) && startTime.equals(ownStartTime);
    }

    /**
     * May the JVM that wrote it still be running? On another host (a container sharing the folder) nothing
     * here can tell, so yes. On this host: not if it had this JVM's pid (a restarted container's JVM is pid 1
     * again), else if that process is alive.
     */
    boolean mayStillBeRunning(long ownPid, String ownHost) {
        if (!sameHost(ownHost)) return true;
        if (pid == ownPid) return false;
        return isAlive(pid);
    }

    /**
     * Is that process alive? On Linux, is it in {@code /proc} (an ended process that its parent has not reaped yet
     * counts, and its report is left to it: the safe side). {@link ProcessHandle} would start the JDK's
     * process-reaper machinery (an executor, its queue, lambdas) to say the same, at this JVM's exit when its report
     * path holds an earlier report, as a restarted container's does (with the patterns, 20 ms of a hello world).
     */
    static boolean isAlive(long pid) {
        File proc = new File("/proc");
        if (new File(proc, "self").exists()) return new File(proc, Long.toString(pid)).isDirectory();
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** An unknown host on either side counts as this one, as it did before reports named their host. */
    boolean sameHost(String ownHost) {
        return host.equals(ownHost) || host.equals(HostName.UNKNOWN) || ownHost.equals(HostName.UNKNOWN);
    }
}
