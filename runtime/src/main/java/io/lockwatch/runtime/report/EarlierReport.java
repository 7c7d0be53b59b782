package io.lockwatch.runtime.report;

import io.lockwatch.runtime.util.HostName;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /**
     * The fields read, compiled only when there is a report to read: most JVMs find none, and the first write is
     * often at exit. Compiled at every first write, they cost a hello world 17 ms of wall time on a slow VM
     * (forty-first performance round).
     */
    private static final class Fields {
        static final Pattern PID = Pattern.compile("\"pid\"\\s*:\\s*(\\d+)");
        /** Not "host": the options block has a key of that name (the endpoint's). */
        static final Pattern HOST = Pattern.compile("\"hostName\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
        static final Pattern START_TIME = Pattern.compile("\"startTime\"\\s*:\\s*\"([^\"]*)\"");
        /** A findings list with something in it: the report's own lists are the only ones with these names. */
        static final Pattern A_FINDING = Pattern.compile("\"(potentialDeadlocks|deadlocks|hazards)\"\\s*:\\s*\\[\\s*[^\\]\\s]");
    }

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
        Matcher pid = Fields.PID.matcher(text);
        if (!pid.find()) return null;
        Matcher host = Fields.HOST.matcher(text);
        Matcher startTime = Fields.START_TIME.matcher(text);
        return new EarlierReport(Long.parseLong(pid.group(1)),
                host.find() ? host.group(1) : HostName.UNKNOWN,
                startTime.find() ? startTime.group(1) : "",
                more || Fields.A_FINDING.matcher(text).find());
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
