package io.lockwatch.runtime.config;

import io.lockwatch.runtime.util.Durations;
import io.lockwatch.runtime.util.HostName;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's options. Each key can come from three places, strongest first: the agent argument
 * ({@code -javaagent:lockwatch-agent.jar=report=out.json,stack-depth=96}), a system property
 * ({@code -Dlockwatch.report=out.json}) and an environment variable ({@code LOCKWATCH_REPORT=out.json}).
 *
 * <p>A bad key or value never stops the application: it becomes one error line naming the key, the value
 * and what is accepted, and the default is used instead.
 */
public final class Options {

    /** Every key the agent knows, with what it accepts (the text of the error for a bad value). */
    public enum Key {
        ENABLED("enabled", "true (the default) or false, which leaves the JVM as it is without lockwatch, e.g."
                + " LOCKWATCH_ENABLED=false"),
        REPORT("report", "a file path for the JSON report, e.g. report=/var/log/app/lockwatch.json"),
        PORT("port", "a TCP port from 0 to 65535 for the Prometheus endpoint (0 picks a free one), e.g. port=9404"),
        HOST("host", "an address to bind the Prometheus endpoint to, e.g. host=0.0.0.0 (default 127.0.0.1)"),
        STALL_THRESHOLD("stall-threshold", "a duration with a unit: ms, s, m or h, e.g. stall-threshold=2s"),
        STACK_DEPTH("stack-depth", "a whole number of frames from 8 to 1024, e.g. stack-depth=64"),
        EXCLUDE("exclude", "class-name prefixes separated by ';', e.g. exclude=com.acme.generated.;org.legacy."),
        CONTENTION_THRESHOLD("contention-threshold",
                "a duration with a unit: ms, s, m or h (0ms counts every contended wait), e.g. contention-threshold=10ms"),
        MAX_SITES("max-sites", "a whole number of code sites from 1 to 100000, e.g. max-sites=100"),
        MAX_SERIES("max-series", "a whole number of metric series from 100 to 1000000, e.g. max-series=500"),
        RETRANSFORM("retransform", "all (every JDK class loaded before the agent that takes a lock) or minimal"
                + " (only java.lang.Thread and java.util.concurrent.ConcurrentHashMap), e.g. retransform=minimal");

        public final String name;
        public final String accepts;

        Key(String name, String accepts) {
            this.name = name;
            this.accepts = accepts;
        }

        String systemProperty() {
            return "lockwatch." + name;
        }

        String environmentVariable() {
            return "LOCKWATCH_" + name.replace('-', '_').toUpperCase(Locale.ROOT);
        }

        static Key byName(String name) {
            for (Key key : values()) {
                if (key.name.equals(name)) return key;
            }
            return null;
        }
    }

    public static final int DEFAULT_STACK_DEPTH = 64;
    public static final long DEFAULT_STALL_THRESHOLD_MILLIS = 10_000;
    /** Waits shorter than this are not counted as contention (JFR's own "profile" setting for these events). */
    public static final long DEFAULT_CONTENTION_THRESHOLD_MILLIS = 10;
    public static final int DEFAULT_MAX_SITES = 100;
    public static final int DEFAULT_MAX_SERIES = 500;

    /** Where the report goes when no path is given: the working directory, one file per process. */
    public static String defaultReportPath(long pid) {
        return "lockwatch-" + pid + ".json";
    }

    private final Map<Key, String> raw;
    private final List<String> problems;
    private final String reportPath;
    private final int port;
    private final String host;
    private final long stallThresholdMillis;
    private final int stackDepth;
    private final List<String> excludes;
    private final long contentionThresholdMillis;
    private final int maxSites;
    private final int maxSeries;
    private final boolean retransformAll;

    private Options(Map<Key, String> raw, List<String> problems, long pid) {
        this.raw = raw;
        this.problems = problems;
        String report = raw.get(Key.REPORT);
        if (report != null && report.isBlank()) {
            problem(Key.REPORT, report);
            report = null;
        }
        // %p is the process id, as in the JVM's own file options (-XX:HeapDumpPath, -Xlog's file=): one setting,
        // in JAVA_TOOL_OPTIONS say, then gives each JVM a report of its own. %hn is the host name, as in -Xlog's
        // file=: containers sharing a folder are all pid 1.
        String path = report != null ? report : defaultReportPath(pid);
        if (path.contains("%hn")) path = path.replace("%hn", HostName.forFileName());
        this.reportPath = path.replace("%p", Long.toString(pid));
        this.port = parsePort(raw.get(Key.PORT));
        this.host = raw.getOrDefault(Key.HOST, "127.0.0.1");
        this.stallThresholdMillis = parseStallThreshold(raw.get(Key.STALL_THRESHOLD));
        this.stackDepth = parseStackDepth(raw.get(Key.STACK_DEPTH));
        this.excludes = parseExcludes(raw.get(Key.EXCLUDE));
        this.contentionThresholdMillis = parseContentionThreshold(raw.get(Key.CONTENTION_THRESHOLD));
        this.maxSites = parseInt(Key.MAX_SITES, raw.get(Key.MAX_SITES), 1, 100_000, DEFAULT_MAX_SITES);
        this.maxSeries = parseInt(Key.MAX_SERIES, raw.get(Key.MAX_SERIES), 100, 1_000_000, DEFAULT_MAX_SERIES);
        this.retransformAll = parseRetransform(raw.get(Key.RETRANSFORM));
        checkEnabled(raw.get(Key.ENABLED));
    }

    /**
     * Reads the options from all three sources.
     *
     * @param agentArgs the text after {@code =} in {@code -javaagent:}, may be null
     */
    public static Options parse(String agentArgs, Map<String, String> systemProperties, Map<String, String> environment, long pid) {
        List<String> problems = new ArrayList<>();
        Map<Key, String> raw = new LinkedHashMap<>();

        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (!e.getKey().startsWith("LOCKWATCH_")) continue;
            Key key = null;
            for (Key k : Key.values()) {
                if (k.environmentVariable().equals(e.getKey())) key = k;
            }
            if (key == null) {
                problems.add("unknown environment variable " + e.getKey() + "=" + e.getValue()
                        + ": lockwatch reads " + knownNames("LOCKWATCH_") + "; it is ignored");
            } else {
                raw.put(key, e.getValue());
            }
        }
        for (Map.Entry<String, String> e : systemProperties.entrySet()) {
            if (!e.getKey().startsWith("lockwatch.")) continue;
            Key key = Key.byName(e.getKey().substring("lockwatch.".length()));
            if (key == null) {
                problems.add("unknown system property -D" + e.getKey() + "=" + e.getValue()
                        + ": lockwatch reads " + knownNames("lockwatch.") + "; it is ignored");
            } else {
                raw.put(key, e.getValue());
            }
        }
        if (agentArgs != null && !agentArgs.isBlank()) {
            for (String item : agentArgs.split(",")) {
                if (item.isBlank()) continue;
                int eq = item.indexOf('=');
                String name = (eq < 0 ? item : item.substring(0, eq)).trim();
                String value = eq < 0 ? "" : item.substring(eq + 1).trim();
                Key key = Key.byName(name);
                if (key == null) {
                    problems.add("unknown option '" + name + "' in -javaagent:...=" + agentArgs
                            + ": the known options are " + knownNames("") + "; it is ignored");
                } else if (eq < 0) {
                    problems.add("option '" + name + "' has no value: write " + name + "=VALUE, where VALUE is "
                            + key.accepts + "; the default is used");
                } else {
                    raw.put(key, value);
                }
            }
        }
        return new Options(raw, problems, pid);
    }

    private static String knownNames(String prefix) {
        StringBuilder names = new StringBuilder();
        for (Key k : Key.values()) {
            if (names.length() > 0) names.append(", ");
            if (prefix.startsWith("LOCKWATCH")) names.append(k.environmentVariable());
            else names.append(prefix).append(k.name);
        }
        return names.toString();
    }

    private void problem(Key key, String value) {
        problems.add("bad value for option " + key.name + ": '" + value + "'; expected " + key.accepts
                + "; the default is used");
    }

    private int parsePort(String value) {
        if (value == null) return -1;
        try {
            int p = Integer.parseInt(value.trim());
            if (p >= 0 && p <= 65535) return p;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problem(Key.PORT, value);
        return -1;
    }

    private long parseStallThreshold(String value) {
        if (value == null) return DEFAULT_STALL_THRESHOLD_MILLIS;
        long millis = Durations.parseMillis(value);
        if (millis > 0) return millis;
        problem(Key.STALL_THRESHOLD, value);
        return DEFAULT_STALL_THRESHOLD_MILLIS;
    }

    private int parseStackDepth(String value) {
        if (value == null) return DEFAULT_STACK_DEPTH;
        try {
            int depth = Integer.parseInt(value.trim());
            if (depth >= 8 && depth <= 1024) return depth;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problem(Key.STACK_DEPTH, value);
        return DEFAULT_STACK_DEPTH;
    }

    private long parseContentionThreshold(String value) {
        if (value == null) return DEFAULT_CONTENTION_THRESHOLD_MILLIS;
        long millis = Durations.parseMillis(value);
        if (millis >= 0) return millis;
        problem(Key.CONTENTION_THRESHOLD, value);
        return DEFAULT_CONTENTION_THRESHOLD_MILLIS;
    }

    private int parseInt(Key key, String value, int min, int max, int defaultValue) {
        if (value == null) return defaultValue;
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problem(key, value);
        return defaultValue;
    }

    private boolean parseRetransform(String value) {
        String v = value == null ? "all" : value.trim();
        if (v.equals("all")) return true;
        if (v.equals("minimal")) return false;
        problem(Key.RETRANSFORM, value);
        return true;
    }

    /**
     * {@code enabled=false} is acted on before lockwatch starts ({@code LockwatchAgent}), so a running lockwatch was
     * left on: only a value that is neither true nor false is said here. It is not in the report, which only a
     * lockwatch that runs writes.
     */
    private void checkEnabled(String value) {
        if (value != null && !value.trim().equalsIgnoreCase("true") && !value.trim().equalsIgnoreCase("false")) {
            problem(Key.ENABLED, value);
        }
    }

    private List<String> parseExcludes(String value) {
        if (value == null) return Collections.emptyList();
        List<String> prefixes = new ArrayList<>();
        for (String prefix : value.split(";")) {
            if (!prefix.isBlank()) prefixes.add(prefix.trim());
        }
        return Collections.unmodifiableList(prefixes);
    }

    /** Adds a problem found later, e.g. a report path that cannot be written. */
    public void addProblem(String problem) {
        problems.add(problem);
    }

    public List<String> problems() {
        return problems;
    }

    public String reportPath() {
        return reportPath;
    }

    /** @return the Prometheus port, or -1 when no endpoint was asked for */
    public int port() {
        return port;
    }

    public String host() {
        return host;
    }

    public long stallThresholdMillis() {
        return stallThresholdMillis;
    }

    public int stackDepth() {
        return stackDepth;
    }

    public List<String> excludes() {
        return excludes;
    }

    /** Waits shorter than this are not contention: no event of ours, no metric sample. */
    public long contentionThresholdMillis() {
        return contentionThresholdMillis;
    }

    /** Most distinct code sites the {@code site} tag of the wait metrics takes; the rest become "other". */
    public int maxSites() {
        return maxSites;
    }

    /** The series budget of the metrics endpoint: wait histograms fold into "other" before it is exceeded. */
    public int maxSeries() {
        return maxSeries;
    }

    /**
     * Whether every JDK class loaded before the agent that takes a lock is retransformed (the default), or
     * only {@code Thread} (the start, join and exit hooks) and {@code ConcurrentHashMap} (its bins):
     * {@code retransform=minimal}, for a faster start on JDK 17 at the cost of the other early classes' locks.
     */
    public boolean retransformAll() {
        return retransformAll;
    }

    /** The effective options, as the report shows them. */
    public Map<String, String> effective() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(Key.REPORT.name, reportPath);
        out.put(Key.PORT.name, port < 0 ? "off" : Integer.toString(port));
        out.put(Key.HOST.name, host);
        out.put(Key.STALL_THRESHOLD.name, Durations.format(stallThresholdMillis));
        out.put(Key.STACK_DEPTH.name, Integer.toString(stackDepth));
        out.put(Key.EXCLUDE.name, String.join(";", excludes));
        out.put(Key.CONTENTION_THRESHOLD.name, Durations.format(contentionThresholdMillis));
        out.put(Key.MAX_SITES.name, Integer.toString(maxSites));
        out.put(Key.MAX_SERIES.name, Integer.toString(maxSeries));
        out.put(Key.RETRANSFORM.name, retransformAll ? "all" : "minimal");
        return out;
    }
}
