package io.lockwatch.runtime.report;

import io.lockwatch.runtime.config.Options;
import io.lockwatch.runtime.events.FindingEvent;
import io.lockwatch.runtime.events.Recordings;
import io.lockwatch.runtime.util.HostName;
import io.lockwatch.runtime.util.InternalErrors;
import io.lockwatch.runtime.util.Log;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The JSON report: everything found so far, rewritten atomically (a temporary file, then a rename) each
 * time something new is found and once more at exit. A reader never sees half a file, and a JVM killed
 * with SIGKILL leaves behind everything found before the kill.
 *
 * <p>Only lockwatch's own threads (the detector, the shutdown hook) add findings and write.
 */
public final class Report {
    public static final int FORMAT_VERSION = 1;

    private final Options options;
    private final String agentVersion;
    private final long pid;
    /** Formatted when written, off the start-up path, without java.time (see {@link Timestamps}). */
    private final long startMillis = System.currentTimeMillis();
    private volatile Path path;
    /** Whether the first write has checked that the path is not another running JVM's report ({@link #claimPath}). */
    private boolean pathClaimed;
    private final List<Finding> potentialDeadlocks = new CopyOnWriteArrayList<>();
    private final List<Finding> deadlocks = new CopyOnWriteArrayList<>();
    private final List<Finding> hazards = new CopyOnWriteArrayList<>();
    private volatile Consumer<JsonWriter> statsSource;
    private volatile boolean dirty = true;
    private boolean writeFailureLogged;

    public Report(Options options, String agentVersion, long pid) {
        this.options = options;
        this.agentVersion = agentVersion;
        this.pid = pid;
        this.path = Paths.get(options.reportPath()).toAbsolutePath();
    }

    public void statsFrom(Consumer<JsonWriter> source) {
        this.statsSource = source;
    }

    public Path path() {
        return path;
    }

    /** lockwatch's version, as the jar's manifest gives it ("unknown" without one). */
    public String agentVersion() {
        return agentVersion;
    }

    public void addPotentialDeadlock(Finding finding) {
        add(potentialDeadlocks, finding);
    }

    public void addDeadlock(Finding finding) {
        add(deadlocks, finding);
    }

    public void addHazard(Finding finding) {
        add(hazards, finding);
    }

    /**
     * Publishes a finding: the report on disk first (so that once the finding is on stderr, a SIGKILL can
     * no longer lose it), then the stderr block, then the JFR event. Only lockwatch's own threads call this.
     */
    private void add(List<Finding> list, Finding finding) {
        list.add(finding);
        try { // the attach command's counts; a class of them that cannot load must not cost the report its write
            AttachReply.found(potentialDeadlocks.size(), deadlocks.size(), hazards.size());
        } catch (Throwable e) {
            InternalErrors.record("attach reply", e);
        }
        dirty = true;
        write();
        Log.block(finding.summary() + "  full stacks: " + path + "\n");
        emitEvent(finding, finding.summary());
    }

    /**
     * A finding already in the report learned more (e.g. a thread now blocks on a lock whose owner died):
     * rewritten at once, the news printed and emitted as a JFR event.
     */
    public void updated(Finding finding, String news) {
        dirty = true;
        write();
        Log.block(news);
        emitEvent(finding, news);
    }

    private static void emitEvent(Finding finding, String summary) {
        // Not before a recording exists, and never on a runtime without jdk.jfr (see Recordings): the
        // report and stderr still have everything.
        if (!Recordings.mayRecord()) return;
        try {
            FindingEvent.emit(finding.kind(), summary, String.join(", ", finding.threadNames()),
                    String.join(", ", finding.lockNames()));
        } catch (Throwable e) {
            InternalErrors.record("finding event", e);
        }
    }

    public int potentialDeadlockCount() {
        return potentialDeadlocks.size();
    }

    public int deadlockCount() {
        return deadlocks.size();
    }

    public int hazardCount() {
        return hazards.size();
    }

    /**
     * Renders the report once and drops the text: this loads every class a write needs, so that a jar without
     * one of them fails at start, in one line, rather than at every write, with the report and its findings
     * lost. For {@code premain}.
     */
    public void renderOnce() {
        render();
    }

    /** Writes the report if something changed since the last write. */
    public void writeIfChanged() {
        if (dirty) write();
    }

    /**
     * Writes the report now.
     *
     * @return false when the file could not be written (logged once)
     */
    public synchronized boolean write() {
        dirty = false;
        if (!pathClaimed) claimPath();
        try {
            byte[] bytes = render().getBytes(StandardCharsets.UTF_8);
            Path dir = path.getParent();
            Path tmp = dir.resolve("." + path.getFileName() + "." + pid + ".tmp");
            // Plain java.io, loaded long before the agent: Files.write and the NIO channels behind it load and
            // initialise some fifty classes (JDK 25), which a hello world's exit paid for.
            try (FileOutputStream out = new FileOutputStream(tmp.toFile())) {
                out.write(bytes);
            }
            replace(tmp, path);
            return true;
        } catch (IOException | RuntimeException e) {
            dirty = true;
            if (!writeFailureLogged) {
                writeFailureLogged = true;
                // Said on stderr below; the options block of the report shows it too, should a later write succeed.
                options.addProblem("report path " + path + " is not writable");
                Log.error("cannot write the report to " + path + " (" + why(e) + "). Fix: pass a writable file path"
                        + " with report=PATH (or -Dlockwatch.report=PATH); findings are still printed here on stderr.");
            }
            return false;
        } catch (Throwable e) {
            InternalErrors.record("report", e);
            return false;
        }
    }

    /**
     * Before the first write, a report already at this path:
     * <ul>
     *   <li>of another JVM that may still be running is left to it, and this JVM writes next to it
     *       ({@code name-PID.json}; {@code name-HOST-PID.json} when it came from another host), saying so once.
     *       One report= for several JVMs is easy to set up: JAVA_TOOL_OPTIONS reaches every JVM started in the
     *       environment, jcmd's and jstack's too, and such a tool's empty report replaced the service's, findings
     *       and all, until the service wrote again. Containers that share a folder are all pid 1, so a report
     *       names its host too.</li>
     *   <li>of a JVM that has ended, with findings, is kept as {@code name.previous.json} (replacing an older
     *       one): a service restarted after a deadlock, in a container where it is pid 1 again, wrote over the
     *       report of that deadlock within a second. Without findings it is written over, as before.</li>
     * </ul>
     * (Two JVMs that start at the same moment can still both take the path: %p in it is the fix.)
     */
    private void claimPath() {
        pathClaimed = true;
        try {
            EarlierReport earlier = EarlierReport.at(path);
            String host = HostName.get();
            if (earlier != null && !earlier.isOf(pid, host, Timestamps.iso(startMillis))) {
                if (earlier.mayStillBeRunning(pid, host)) {
                    writeNextTo(earlier, host);
                } else if (earlier.hasFindings) {
                    keepAside(earlier);
                }
            }
        } catch (Throwable e) {
            InternalErrors.record("report path check", e);
        }
        try { // the path is settled: where the jar's command finds it (as above, never at the write's cost)
            AttachReply.running(path);
        } catch (Throwable e) {
            InternalErrors.record("attach reply", e);
        }
    }

    private void writeNextTo(EarlierReport earlier, String host) {
        boolean sameHost = earlier.sameHost(host);
        Path mine = sibling(path, "-" + (sameHost ? "" : HostName.forFileName() + "-") + pid);
        String whose = sameHost ? "process " + earlier.pid + ", whose lockwatch is still running"
                : "process " + earlier.pid + " on host " + earlier.host + ", whose lockwatch may still be running";
        String fix = sameHost ? "put %p in the path (report=/var/log/lockwatch-%p.json), which becomes each JVM's pid"
                : "put %hn and %p in the path (report=/shared/lockwatch-%hn-%p.json), which become each JVM's host name and pid";
        Log.warn("the report " + path + " is the report of " + whose + " (one report= for several JVMs: JAVA_TOOL_OPTIONS"
                + " reaches every JVM, jcmd's too); this JVM's report is " + mine + ". Fix: " + fix);
        path = mine;
    }

    private void keepAside(EarlierReport earlier) throws IOException {
        Path aside = sibling(path, ".previous");
        try {
            replace(path, aside);
        } catch (NoSuchFileException e) {
            return; // another JVM starting at the same moment moved it first
        }
        Log.info("the report " + path + " of an earlier JVM (process " + earlier.pid
                + (earlier.startTime.isEmpty() ? "" : ", started " + earlier.startTime) + ") has findings: kept as " + aside);
    }

    /**
     * Moves {@code from} over {@code to}. rename(2) replaces atomically; where it cannot (another file system),
     * NIO's move, atomic if it can be. Plain java.io first: NIO's move loads classes a hello world's exit paid for.
     */
    private static void replace(Path from, Path to) throws IOException {
        if (from.toFile().renameTo(to.toFile())) return;
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The path with {@code insert} before its extension: {@code lockwatch-42.json}, {@code lockwatch.previous.json}. */
    private static Path sibling(Path path, String insert) {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return path.resolveSibling(dot > 0 ? name.substring(0, dot) + insert + name.substring(dot) : name + insert);
    }

    private String why(Exception e) {
        String problem = cannotWrite(path);
        return problem != null ? problem : e.toString();
    }

    /**
     * Why no report can be written at {@code path} whatever is tried, or null: its folder does not exist or is not
     * writable for this JVM's user, or it is a folder itself. (An attach checks it before it starts anything.)
     */
    public static String cannotWrite(Path path) {
        Path dir = path.getParent();
        if (dir != null && !Files.isDirectory(dir)) return "the folder " + dir + " does not exist";
        if (dir != null && !Files.isWritable(dir)) return "the folder " + dir + " is not writable";
        if (Files.isDirectory(path)) return "it is a folder";
        return null;
    }

    String render() {
        JsonWriter json = new JsonWriter();
        json.beginObject();
        json.field("formatVersion", FORMAT_VERSION);
        json.name("agent").beginObject();
        json.field("name", "lockwatch");
        json.field("version", agentVersion);
        json.name("jvm").beginObject()
                .field("name", System.getProperty("java.vm.name", "unknown"))
                .field("version", System.getProperty("java.version", "unknown"))
                .field("vendor", System.getProperty("java.vm.vendor", "unknown"))
                .endObject();
        json.field("pid", pid);
        json.field("hostName", HostName.get());
        json.field("startTime", Timestamps.iso(startMillis));
        json.field("writtenAt", Timestamps.iso(System.currentTimeMillis()));
        json.name("options").beginObject();
        for (Map.Entry<String, String> e : options.effective().entrySet()) json.field(e.getKey(), e.getValue());
        json.endObject();
        json.stringArray("optionProblems", options.problems());
        String stoppedBecause = InternalErrors.trackingStoppedBecause();
        if (stoppedBecause != null) {
            json.name("trackingStopped").beginObject()
                    .field("at", Timestamps.iso(InternalErrors.trackingStoppedAtMillis()))
                    .field("because", stoppedBecause)
                    .endObject();
        }
        json.endObject();
        writeFindings(json, "potentialDeadlocks", potentialDeadlocks);
        writeFindings(json, "deadlocks", deadlocks);
        writeFindings(json, "hazards", hazards);
        json.name("stats").beginObject();
        Consumer<JsonWriter> stats = statsSource;
        if (stats != null) stats.accept(json);
        json.field("internalErrors", InternalErrors.count());
        json.field("trackingStopped", InternalErrors.isTrackingStopped() ? 1 : 0);
        json.endObject();
        json.endObject();
        return json.toString();
    }

    private static void writeFindings(JsonWriter json, String name, List<Finding> findings) {
        json.name(name).beginArray();
        for (Finding f : findings) f.writeJson(json);
        json.endArray();
    }
}
