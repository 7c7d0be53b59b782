package io.lockwatch.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whole-process overhead: runs each benchmark program in a fresh JVM without and with the agent,
 * interleaved (A B A B ...), N times each, and prints a Markdown table of medians and ratios.
 *
 * <p>The agent runs in its default configuration (no options; the report goes to the work directory) unless
 * {@code --agent-options} gives some, which the table's first line then names.
 * Usage (normally through {@code bench/run.sh}):
 * <pre>java -cp bench/target/classes:bench/target/lib/* io.lockwatch.bench.OverheadRunner
 *     [--runs N] [--cases nested,calls,local,h2,h2-pretouch,h2-jars,h2-steady,fresh,fresh-out,files,contended,startup,memory] [--quick] [--java PATH] [--agent JAR]
 *     [--agent-options KEY=VALUE,...] [--jvm-options "-XX:A -XX:B"] [--compare-with "-XX:StartFlightRecording"]
 *     [--side-by-side] [--out FILE]</pre>
 */
public final class OverheadRunner {
    private static final Pattern METRIC = Pattern.compile("^METRIC (\\S+) (\\S+) (\\S+) (lower|higher)$");
    private static final Pattern STAT = Pattern.compile("\"(\\w+)\"\\s*:\\s*(\\d+)");
    private static final List<String> REPORT_STATS = List.of(
            "locksSeen", "locksDropped", "locksEvicted", "edgesSeen", "edgesDropped", "stacksCaptured", "occurrencesDropped");

    /** How a metric is judged against the issue's target. */
    enum Judge { RATIO, DELTA }

    record Target(String metric, Judge judge, double limit, String text) {}

    /**
     * One benchmark program. {@code pairedMetric}: for a single-threaded program, the metric that
     * {@code --side-by-side} compares run by run (null: the program needs more than one CPU).
     * {@code jvmOptions}: options of the program's JVM, the same on both sides (none for most cases).
     * {@code classPath}: the program's class path, the same on both sides; null for the runner's usual one
     * (the programs' classes and H2's jar, see {@link #programClassPath}).
     */
    record Case(String name, String description, String mainClass, List<String> args, List<String> quickArgs,
                boolean wallClockMetric, List<Target> targets, int maxRuns, String pairedMetric,
                List<String> jvmOptions, String classPath) {
        Case(String name, String description, String mainClass, List<String> args, List<String> quickArgs,
             boolean wallClockMetric, List<Target> targets) {
            this(name, description, mainClass, args, quickArgs, wallClockMetric, targets, Integer.MAX_VALUE, null,
                    List.of(), null);
        }

        Case(String name, String description, String mainClass, List<String> args, List<String> quickArgs,
             boolean wallClockMetric, List<Target> targets, int maxRuns) {
            this(name, description, mainClass, args, quickArgs, wallClockMetric, targets, maxRuns, null, List.of(), null);
        }

        /** The same case, marked single-threaded: {@code --side-by-side} runs both sides at once on this metric. */
        Case comparedOn(String metric) {
            return new Case(name, description, mainClass, args, quickArgs, wallClockMetric, targets, maxRuns, metric,
                    jvmOptions, classPath);
        }

        /** The same case, its JVM started with these options on both sides. */
        Case withJvmOptions(String... options) {
            return withJvmOptions(List.of(options));
        }

        /** The same case, these options added after its own on both sides ({@code --jvm-options}). */
        Case withJvmOptions(List<String> more) {
            List<String> all = new ArrayList<>(jvmOptions);
            all.addAll(more);
            return new Case(name, description, mainClass, args, quickArgs, wallClockMetric, targets, maxRuns,
                    pairedMetric, List.copyOf(all), classPath);
        }

        /** The same case, its program run with this class path on both sides. */
        Case withClassPath(String path) {
            return new Case(name, description, mainClass, args, quickArgs, wallClockMetric, targets, maxRuns,
                    pairedMetric, jvmOptions, path);
        }
    }

    static final class Metric {
        final String name;
        final String unit;
        final boolean lowerIsBetter;
        final List<Double> without = new ArrayList<>();
        final List<Double> with = new ArrayList<>();

        Metric(String name, String unit, boolean lowerIsBetter) {
            this.name = name;
            this.unit = unit;
            this.lowerIsBetter = lowerIsBetter;
        }
    }

    /** The {@code h2-jars} case's class path (before {@link #CASES}, which uses it). */
    private static final String SERVICE_CLASS_PATH = serviceClassPath();

    private static final List<Case> CASES = List.of(
            new Case("nested", "uncontended: 2 monitors nested, then 2 ReentrantLocks nested; 20M iterations after 5M warm-up,"
                    + " the locks old (a full collection first; twenty-first round)",
                    "io.lockwatch.bench.programs.NestedLocking", List.of("20000000", "5000000"), List.of("2000000", "1000000"),
                    false, List.of(new Target("ns_per_iteration", Judge.RATIO, 1.3, "<= 1.3x")))
                    .comparedOn("cpu_ns_per_iteration"),
            new Case("calls", "one lock per call: a synchronized method called in a loop, 50M calls after 10M warm-up"
                    + " (no target of its own; the per-call state lookup that the nested case does once); then the same"
                    + " with a method that calls a helper inside (an ordinary site, pushed: ordinary_ns_per_call)",
                    "io.lockwatch.bench.programs.SynchronizedCalls", List.of("50000000", "10000000"),
                    List.of("5000000", "1000000"), false, List.of()).comparedOn("cpu_ns_per_call"),
            new Case("local", "locks that never leave their thread, which the JIT removes without the agent: an object"
                    + " made and locked in one method, and 4 appends to a method's own StringBuffer; 20M each after 20M"
                    + " warm-up (no target of its own; twenty-fourth round)",
                    "io.lockwatch.bench.programs.LocalLocks", List.of("20000000", "20000000"),
                    List.of("2000000", "2000000"), false, List.of()).comparedOn("local_lock_ns_per_call"),
            new Case("h2", "embedded H2, 4 threads x 10,000 JDBC transactions (2 updates + commit, range query every 10th)",
                    "io.lockwatch.bench.programs.H2Transactions", List.of("10000", "0"), List.of("2000", "0"),
                    true, List.of(new Target("workload_elapsed", Judge.RATIO, 1.05, "<= 1.05x"),
                                  new Target("process_wall", Judge.RATIO, 1.05, "<= 1.05x"))),
            // The h2 case with every page of the heap touched as the JVM starts, on both sides. On JDK 17 the
            // first pass's cost with any agent that keeps a megabyte or more from its start (even one that does
            // nothing else) is mostly the kernel's first-touch page faults in the fresh eden regions that G1's
            // young-generation sizing then grows into during the pass (seventeenth round).
            new Case("h2-pretouch", "the h2 case with the heap's pages touched at JVM start (-XX:+AlwaysPreTouch,"
                    + " both sides): the same workload without the first-touch page faults of G1's eden growth",
                    "io.lockwatch.bench.programs.H2Transactions", List.of("10000", "0"), List.of("2000", "0"),
                    true, List.of(new Target("workload_elapsed", Judge.RATIO, 1.05, "(<= 1.05x, pages pre-touched)")))
                    .withJvmOptions("-XX:+AlwaysPreTouch"),
            // The h2 case with the class path of a service rather than of a one-jar program, on both sides: after
            // H2's jar, the 16 other jars the bench module depends on (JMH, Micrometer, the Prometheus client,
            // Byte Buddy, ...; not lockwatch's). The program loads no class of theirs, but the JDK opens each
            // of them during H2's setup (one jar is open after H2's driver class loads, all 17 after the
            // setup), as it opens the jars of a service's class path. On JDK 17 that alone moves G1 onto the
            // path the agent moves it onto in the h2 case (nineteenth round).
            new Case("h2-jars", "the h2 case with " + (SERVICE_CLASS_PATH.split(File.pathSeparator).length - 2)
                    + " more jars on the class path after H2's (the bench's other dependencies; none of their classes"
                    + " is loaded), both sides: a service's class path",
                    "io.lockwatch.bench.programs.H2Transactions", List.of("10000", "0"), List.of("2000", "0"),
                    true, List.of(new Target("workload_elapsed", Judge.RATIO, 1.05, "<= 1.05x"),
                                  new Target("process_wall", Judge.RATIO, 1.05, "<= 1.05x")))
                    .withClassPath(SERVICE_CLASS_PATH),
            new Case("h2-steady", "the h2 case's workload, then 8 passes more untimed and 12 timed: the median timed"
                    + " pass, the cost once classes are loaded and the JIT has done its work",
                    "io.lockwatch.bench.programs.H2Transactions", List.of("10000", "12", "8"), List.of("2000", "3", "2"),
                    false, List.of(new Target("steady_workload_elapsed", Judge.RATIO, 1.05, "(<= 1.05x, warmed up)"))),
            new Case("fresh", "the path of a fresh lock: 4 threads, each locking an object it has just made, around"
                    + " a call, under two locks of its own (a new lock and two new edges per iteration), between work"
                    + " and garbage of its own; no target of its own",
                    "io.lockwatch.bench.programs.FreshLocks", List.of("200000", "100000"), List.of("20000", "10000"),
                    false, List.of()),
            new Case("fresh-out", "the fresh case with an edge out of each fresh lock: while it holds the fresh"
                    + " lock, each thread writes to a journal of its own, a long-lived lock that leads on to the journal's"
                    + " file and its disk (a fresh lock with two edges in and one out per iteration, as a stream or a file channel"
                    + " taken under the caller's locks has; twenty-eighth round); no target of its own",
                    "io.lockwatch.bench.programs.FreshLocks", List.of("200000", "100000", "4", "2000", "4096", "journal"),
                    List.of("20000", "10000", "4", "2000", "4096", "journal"), false, List.of()),
            new Case("files", "small file reads, one thread: Files.readString, a FileInputStream read whole, and"
                    + " Files.readString under a lock of the program's; each read opens a channel with locks of its own"
                    + " (four fresh locks and their edges per read with the agent); 20,000 reads each after 10,000"
                    + " warm-up; no target of its own (twenty-seventh round)",
                    "io.lockwatch.bench.programs.FileReads", List.of("20000", "10000"), List.of("2000", "1000"),
                    false, List.of()),
            new Case("vjoins", "virtual threads that fork and join: per round, 100,000 parents each start two children"
                    + " and join them, 4 rounds (JDK 21 and later; before, platform threads, a hundredth as many); no"
                    + " target of its own (forty-sixth round)",
                    "io.lockwatch.bench.programs.VirtualForkJoin", List.of("100000", "4"), List.of("10000", "2"),
                    true, List.of()),
            new Case("vparked", "memory per live thread: 100,000 virtual threads each take a monitor and a"
                    + " ReentrantLock once, then all wait; heap used after a full GC while they wait (JDK 21 and later;"
                    + " before, platform threads, a hundredth as many); no target of its own (forty-seventh round)",
                    "io.lockwatch.bench.programs.ParkedThreads", List.of("100000"), List.of("10000"),
                    false, List.of()),
            new Case("contended", "4 threads on one lock (monitor, then ReentrantLock), 3 s each after 1 s warm-up;"
                    + " then the same with private work between acquisitions (with_work); the locks old (a full"
                    + " collection first; twenty-first round), each in cache lines of its own and each variant in"
                    + " its own loop method (twenty-second round); the no-work monitor loop reads its stop flag at"
                    + " every acquisition, so that C2 cannot merge its critical sections (twenty-fourth round)",
                    "io.lockwatch.bench.programs.ContendedLock", List.of("3", "1"), List.of("1", "0.5"),
                    false, List.of(new Target("monitor_acquisitions_per_second", Judge.RATIO, 1.1, "<= 1.1x loss"),
                                   new Target("reentrantlock_acquisitions_per_second", Judge.RATIO, 1.1, "<= 1.1x loss"),
                                   new Target("monitor_with_work_acquisitions_per_second", Judge.RATIO, 1.1, "<= 1.1x loss"),
                                   new Target("reentrantlock_with_work_acquisitions_per_second", Judge.RATIO, 1.1,
                                           "<= 1.1x loss"))),
            new Case("startup", "hello world, JVM start to exit",
                    "io.lockwatch.bench.programs.HelloWorld", List.of(), List.of(),
                    true, List.of(new Target("process_wall", Judge.DELTA, 300, "<= +300 ms"))),
            new Case("memory", "10M distinct short-lived locks nested in pairs; heap used after a full GC, after 3 s"
                    + " and a further GC, and after 10 s more and a GC (settled)",
                    "io.lockwatch.bench.programs.ManyLocks", List.of("10000000", "3000", "10000"),
                    List.of("1000000", "3000", "10000"),
                    false, List.of(new Target("heap_used_after_full_gc", Judge.DELTA, 64, "< +64 MiB"),
                                   new Target("heap_used_after_further_gc", Judge.DELTA, 64, "< +64 MiB"),
                                   new Target("heap_used_settled", Judge.DELTA, 64, "< +64 MiB"),
                                   new Target("heap_growth_when_settled", Judge.DELTA, 1, "no growth (<= +1 MiB)")),
                    // A run with the agent takes about a minute on a loaded 2-core machine: at most 3 runs.
                    3));

    public static void main(String[] argv) throws Exception {
        int runs = 5;
        List<String> selected = new ArrayList<>();
        boolean quick = false;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String agent = "agent/target/lockwatch-agent.jar";
        String agentOptions = "";
        List<String> jvmOptions = List.of();
        List<String> compareWith = List.of();
        Path out = Path.of("bench/target/overhead-results.md");
        boolean sideBySide = false;
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--runs" -> runs = Integer.parseInt(argv[++i]);
                case "--cases" -> selected.addAll(Arrays.asList(argv[++i].split(",")));
                case "--quick" -> quick = true;
                case "--java" -> java = argv[++i];
                case "--agent" -> agent = argv[++i];
                case "--agent-options" -> agentOptions = argv[++i];
                case "--jvm-options" -> jvmOptions = List.of(argv[++i].trim().split("\\s+"));
                case "--compare-with" -> compareWith = List.of(argv[++i].trim().split("\\s+"));
                case "--out" -> out = Path.of(argv[++i]);
                case "--side-by-side" -> sideBySide = true;
                default -> throw new IllegalArgumentException("unknown argument " + argv[i]
                        + "; accepted: --runs N --cases " + caseNames() + " --quick --side-by-side"
                        + " --java PATH --agent JAR --agent-options KEY=VALUE,... --jvm-options \"-XX:A -XX:B\" --compare-with \"-XX:StartFlightRecording\" --out FILE");
            }
        }
        for (String name : selected) { // a misspelt case would otherwise be skipped without a word
            if (CASES.stream().noneMatch(listed -> listed.name.equals(name))) {
                throw new IllegalArgumentException("no case named '" + name + "'; the cases: " + caseNames());
            }
        }
        if (!compareWith.isEmpty() && !agentOptions.isEmpty()) {
            throw new IllegalArgumentException("--compare-with runs its JVM options instead of the agent, so --agent-options "
                    + agentOptions + " would not be used; give one of the two");
        }
        if (sideBySide && Runtime.getRuntime().availableProcessors() < 2) {
            throw new IllegalStateException("--side-by-side needs two CPUs, one per side");
        }
        if (sideBySide && !canRun("taskset", "-V")) {
            throw new IllegalStateException("--side-by-side pins each JVM with taskset, which is not here (Debian: util-linux)");
        }
        Path agentJar = Path.of(agent).toAbsolutePath();
        if (!Files.isRegularFile(agentJar)) throw new IllegalStateException("no agent jar at " + agentJar + "; build it first");
        // What the "with" side adds to the JVM's command line: lockwatch, or with --compare-with another tool in
        // its place (a JFR recording, say), measured by the same runs against the same baseline.
        List<String> withSide = compareWith.isEmpty()
                ? List.of("-javaagent:" + agentJar + (agentOptions.isEmpty() ? "" : "=" + agentOptions))
                : compareWith;
        Path work = Path.of("bench/target/overhead-runs").toAbsolutePath();
        Files.createDirectories(work);
        String classPath = programClassPath();

        StringBuilder md = new StringBuilder();
        if (compareWith.isEmpty()) {
            md.append("Overhead of lockwatch (").append(agentOptions.isEmpty() ? "default configuration: no agent options"
                    : "NOT the default configuration: agent options " + agentOptions).append("), ");
        } else {
            md.append("Overhead of ").append(String.join(" ", compareWith))
                    .append(" (NOT lockwatch: the \"with\" side runs these JVM options instead of the agent), ");
        }
        md.append(Instant.now()).append('\n');
        md.append("machine: ").append(machine(java)).append('\n');
        if (!jvmOptions.isEmpty()) {
            md.append("JVM options on both sides, NOT the JVM's defaults: ").append(String.join(" ", jvmOptions)).append('\n');
        }
        md.append("runs: ").append(runs).append(" per side, interleaved without/with").append(quick ? ", QUICK sizes (not the issue's)" : "");
        if (sideBySide) md.append("; single-threaded cases SIDE BY SIDE: ").append(SIDE_BY_SIDE_NOTE);
        md.append('\n');
        md.append("load average at start: ").append(loadAverage()).append('\n');
        System.out.print(md);
        System.out.flush();

        StringBuilder table = new StringBuilder();
        table.append("\n| case | metric | median without | median with | ratio with/without | spread without / with | target | met |\n");
        table.append("|---|---|---|---|---|---|---|---|\n");
        StringBuilder notes = new StringBuilder();
        for (Case listed : CASES) {
            if (!selected.isEmpty() && !selected.contains(listed.name)) continue;
            Case c = jvmOptions.isEmpty() ? listed : listed.withJvmOptions(jvmOptions);
            Map<String, Metric> metrics = new LinkedHashMap<>();
            Map<String, Long> lastStats = new LinkedHashMap<>();
            int caseRuns = Math.min(runs, c.maxRuns);
            boolean pinned = sideBySide && c.pairedMetric != null;
            for (int run = 0; run < caseRuns; run++) {
                if (pinned) {
                    // Both sides at once, each on its own CPU (swapped every run): the machine's drift hits both.
                    Run without = start(c, false, run, work, java, withSide, classPath, quick, pinning(run % 2));
                    Run with = start(c, true, run, work, java, withSide, classPath, quick, pinning(1 - run % 2));
                    finish(c, without, metrics, work);
                    Finished b = finish(c, with, metrics, work);
                    if (!b.stats.isEmpty()) lastStats = b.stats;
                } else {
                    for (boolean withAgent : new boolean[] {false, true}) {
                        Finished f = finish(c, start(c, withAgent, run, work, java, withSide, classPath, quick, List.of()),
                                metrics, work);
                        if (!f.stats.isEmpty()) lastStats = f.stats;
                    }
                }
            }
            for (Metric m : metrics.values()) {
                double a = median(m.without);
                double b = median(m.with);
                Target target = null;
                for (Target t : c.targets) if (t.metric.equals(m.name)) target = t;
                String ratio = Math.abs(a) < 1e-2 ? "-" : String.format(Locale.ROOT, "%.2fx", b / a);
                String met = "";
                if (target != null) {
                    double cost = m.lowerIsBetter ? b / a : a / b;
                    if (target.judge == Judge.DELTA) cost = b - a;
                    met = cost <= target.limit ? "yes" : "**no**";
                    if (target.judge == Judge.DELTA) {
                        ratio += String.format(Locale.ROOT, " (%+.0f %s)", b - a, m.unit);
                    } else {
                        // The interval is the cost's: next to the ratio for a time, next to the loss for a throughput.
                        double[] interval = costInterval(m);
                        String bounds = String.format(Locale.ROOT, " [%.2f–%.2f]", interval[0], interval[1]);
                        ratio += m.lowerIsBetter ? bounds : String.format(Locale.ROOT, " (loss %.2fx%s)", a / b, bounds);
                        notes.append(String.format(Locale.ROOT, "- %s %s: %s%s%n", c.name, m.name,
                                verdict(cost, interval, target), pairedNote(m)));
                    }
                }
                table.append(String.format(Locale.ROOT, "| %s | %s (%s, %s is better) | %s | %s | %s | %s / %s | %s | %s |%n",
                        c.name, m.name, m.unit, m.lowerIsBetter ? "lower" : "higher", fmt(a), fmt(b), ratio,
                        spread(m.without), spread(m.with), target == null ? "" : target.text, met));
            }
            Metric first = metrics.get("heap_used_after_full_gc");
            Metric further = metrics.get("heap_used_settled");
            if (first != null && further != null) {
                notes.append(String.format(Locale.ROOT, "- memory: with the agent, heap when settled minus after the first GC: %+.1f MiB (median)%n",
                        median(further.with) - median(first.with)));
            }
            Metric heap = metrics.get("heap_committed_after_pass");
            if (heap != null) notes.append(heapGrownNote(c.name, heap));
            List<Double> perRun = pinned ? pairedCosts(metrics.get(c.pairedMetric)) : null;
            if (perRun != null) { // the paired metrics are times: the cost is with/without
                notes.append(String.format(Locale.ROOT, "- %s side by side: %s with/without, median of the %d per-run ratios: %.2fx"
                        + " (from %.2fx to %.2fx)%n", c.name, c.pairedMetric, perRun.size(), median(perRun),
                        perRun.get(0), perRun.get(perRun.size() - 1)));
            }
            notes.append("- ").append(c.name).append(" (").append(caseRuns).append(" runs per side): ").append(quick ? "QUICK sizes; " : "").append(c.description);
            if (!lastStats.isEmpty()) notes.append("; agent report of the last run: ").append(lastStats);
            notes.append('\n');
        }
        String result = md + table.toString() + "\n" + notes + "load average at end: " + loadAverage() + "\n";
        System.out.println(table);
        System.out.print(notes);
        System.out.println("load average at end: " + loadAverage());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, result);
        System.out.println("(also written to " + out + ")");
    }

    static final String SIDE_BY_SIDE_NOTE = "both JVMs at once, each pinned to one CPU (taskset) and told it has one"
            + " (-XX:ActiveProcessorCount=1 -XX:+UseG1GC, G1 named because one CPU would make the JVM pick Serial),"
            + " CPUs swapped every run; the agent itself in its default configuration";

    /** One program run, started: the process, where its output goes, and when it began. */
    private record Run(boolean withAgent, int run, Process process, Path log, long started) {}

    /** A finished run: its metrics by name, and the stats of the agent's report (empty without the agent). */
    private record Finished(Map<String, Double> values, Map<String, Long> stats) {}

    private static boolean canRun(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** The cases' names, as {@code --cases} takes them. */
    private static String caseNames() {
        return CASES.stream().map(Case::name).collect(java.util.stream.Collectors.joining(","));
    }

    /** The command prefix that pins a JVM to one CPU, for the side-by-side mode. */
    private static List<String> pinning(int cpu) {
        return List.of("taskset", "-c", Integer.toString(cpu));
    }

    private static Run start(Case c, boolean withAgent, int run, Path work, String java, List<String> withSide, String classPath,
                             boolean quick, List<String> pinning) throws IOException {
        List<String> command = new ArrayList<>(pinning);
        command.add(java);
        if (!pinning.isEmpty()) {
            command.add("-XX:ActiveProcessorCount=1");
            command.add("-XX:+UseG1GC");
        }
        command.addAll(c.jvmOptions);
        if (withAgent) command.addAll(withSide);
        command.add("-cp");
        command.add(c.classPath != null ? c.classPath : classPath);
        command.add(c.mainClass);
        command.addAll(quick ? c.quickArgs : c.args);
        Path log = work.resolve(c.name + "-" + (withAgent ? "with" : "without") + "-" + run + ".log");
        long started = System.nanoTime();
        Process p = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Run(withAgent, run, p, log, started);
    }

    /** Waits for the run, adds its metrics, prints its line. */
    private static Finished finish(Case c, Run r, Map<String, Metric> metrics, Path work)
            throws IOException, InterruptedException {
        int exit = r.process.waitFor();
        double wallMillis = (System.nanoTime() - r.started) / 1e6;
        List<String> lines = Files.readAllLines(r.log, StandardCharsets.UTF_8);
        if (exit != 0) {
            throw new IllegalStateException(c.name + (r.withAgent ? " with" : " without") + " the agent exited "
                    + exit + "; see " + r.log);
        }
        Map<String, Double> values = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = METRIC.matcher(line.trim());
            if (!m.matches()) continue;
            double value = Double.parseDouble(m.group(2));
            add(metrics, m.group(1), m.group(3), m.group(4).equals("lower"), r.withAgent, value);
            values.put(m.group(1), value);
        }
        if (c.wallClockMetric) add(metrics, "process_wall", "ms", true, r.withAgent, wallMillis);
        Map<String, Long> stats = Map.of();
        Path report = work.resolve("lockwatch-" + r.process.pid() + ".json");
        if (r.withAgent && Files.isRegularFile(report)) {
            stats = reportStats(Files.readString(report));
            Files.delete(report);
        }
        System.out.printf(Locale.ROOT, "  %-9s run %d %-7s %8.0f ms %s%n", c.name, r.run + 1,
                r.withAgent ? "with" : "without", wallMillis, summary(lines));
        System.out.flush();
        return new Finished(values, stats);
    }

    /** The programs get only their own classes and H2: no runtime or JMH jar that could mask the agent's. */
    private static String programClassPath() {
        List<String> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (new File(entry).isDirectory() || new File(entry).getName().startsWith("h2-")) kept.add(new File(entry).getAbsolutePath());
        }
        return String.join(File.pathSeparator, kept);
    }

    /**
     * The programs' classes, H2's jar, then every other jar of the runner's own class path except
     * lockwatch's (the {@code h2-jars} case).
     */
    private static String serviceClassPath() {
        List<String> kept = new ArrayList<>(List.of(programClassPath().split(File.pathSeparator)));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = new File(entry).getName();
            if (name.endsWith(".jar") && !name.startsWith("h2-") && !name.startsWith("lockwatch-")) {
                kept.add(new File(entry).getAbsolutePath());
            }
        }
        return String.join(File.pathSeparator, kept);
    }

    private static void add(Map<String, Metric> metrics, String name, String unit, boolean lowerIsBetter,
                            boolean withAgent, double value) {
        Metric m = metrics.computeIfAbsent(name, n -> new Metric(n, unit, lowerIsBetter));
        (withAgent ? m.with : m.without).add(value);
    }

    private static String summary(List<String> lines) {
        StringBuilder s = new StringBuilder();
        for (String line : lines) {
            Matcher m = METRIC.matcher(line.trim());
            if (m.matches()) s.append(m.group(1)).append('=').append(fmt(Double.parseDouble(m.group(2)))).append(' ');
            if (line.startsWith("WARNING ")) s.append('[').append(line.trim()).append("] ");
        }
        return s.toString();
    }

    private static Map<String, Long> reportStats(String json) {
        Map<String, Long> stats = new LinkedHashMap<>();
        Matcher m = STAT.matcher(json);
        while (m.find()) {
            if (REPORT_STATS.contains(m.group(1))) stats.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return stats;
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) return Double.NaN;
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** Resamples per bootstrap interval: enough for a stable 5th and 95th percentile. */
    private static final int RESAMPLES = 4000;

    /**
     * A 90% bootstrap interval of the cost (with/without for a time, without/with for a throughput) as a
     * ratio of medians: each side's runs are resampled with replacement, independently, and the 5th and 95th
     * percentiles of the resampled ratios are the bounds. Seeded, so one set of runs always gives the same
     * interval. With 5 runs per side it is coarse; it says whether the runs can tell the target at all.
     */
    static double[] costInterval(Metric m) {
        java.util.Random random = new java.util.Random(42);
        double[] costs = new double[RESAMPLES];
        for (int i = 0; i < RESAMPLES; i++) {
            double a = median(resample(m.without, random));
            double b = median(resample(m.with, random));
            costs[i] = m.lowerIsBetter ? b / a : a / b;
        }
        Arrays.sort(costs);
        return new double[] {costs[(int) (RESAMPLES * 0.05)], costs[(int) (RESAMPLES * 0.95) - 1]};
    }

    private static List<Double> resample(List<Double> values, java.util.Random random) {
        List<Double> out = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) out.add(values.get(random.nextInt(values.size())));
        return out;
    }

    /**
     * The cost of each round (run i with the agent against run i without, which ran just before it), or null
     * when the sides' runs do not pair up. The machine's drift moves both runs of a round together, so the median
     * of these survives a drift that moves the medians of the sides: on this VM, one 12-run series slowed by a
     * third midway, and only the paired median kept the figure of the series before it (PERFORMANCE-ROUNDS.md, fourteenth round).
     * Sorted; the side-by-side mode's per-run ratios are these too, its two runs of a round started together.
     */
    private static List<Double> pairedCosts(Metric m) {
        if (m == null || m.with.size() != m.without.size() || m.with.isEmpty()) return null;
        List<Double> costs = new ArrayList<>(m.with.size());
        for (int i = 0; i < m.with.size(); i++) {
            double a = m.without.get(i);
            double b = m.with.get(i);
            costs.add(m.lowerIsBetter ? b / a : a / b);
        }
        costs.sort(null);
        return costs;
    }

    /**
     * In how many runs of each side G1 had grown the heap by the pass's end: on JDK 17 that, not the time, is what
     * tells whether an agent moved G1's sizing of H2's heap (README, "What is left"), and it varies far less from run
     * to run than the pass's time. Grown means larger than the smallest heap any run of either side ended with.
     */
    private static String heapGrownNote(String caseName, Metric heap) {
        double smallest = Double.MAX_VALUE;
        for (double v : heap.without) smallest = Math.min(smallest, v);
        for (double v : heap.with) smallest = Math.min(smallest, v);
        long grownWith = 0;
        long grownWithout = 0;
        for (double v : heap.with) if (v > smallest) grownWith++;
        for (double v : heap.without) if (v > smallest) grownWithout++;
        return String.format(Locale.ROOT, "- %s: the heap grown past %.0f MiB by the pass's end in %d of %d runs with, %d of %d"
                + " without%n", caseName, smallest, grownWith, heap.with.size(), grownWithout, heap.without.size());
    }

    /** "; paired by round: ..." for a note, the median and quartiles of the rounds' costs; empty when they do not pair. */
    private static String pairedNote(Metric m) {
        List<Double> costs = pairedCosts(m);
        if (costs == null) return "";
        int n = costs.size();
        return String.format(Locale.ROOT, "; paired by round: median of the %d rounds' costs %.2fx (quartiles %.2fx to %.2fx)",
                n, median(costs), costs.get(n / 4), costs.get(Math.min(n - 1, (3 * n) / 4)));
    }

    /** What the interval says about a ratio target: met, missed, or not decided by these runs. */
    static String verdict(double cost, double[] interval, Target target) {
        String range = String.format(Locale.ROOT, "cost %.2fx, 90%% bootstrap interval %.2fx to %.2fx", cost,
                interval[0], interval[1]);
        if (interval[1] <= target.limit) return range + ": within the target " + target.text + " even at its upper end";
        if (interval[0] > target.limit) return range + ": above the target " + target.text + " even at its lower end";
        return range + ": the target " + target.text + " lies inside it, so these runs cannot tell (more runs, or a quieter machine)";
    }

    /** (max - min) / median, in percent: how noisy the runs were. */
    private static String spread(List<Double> values) {
        if (values.isEmpty()) return "-";
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double med = median(values);
        return med == 0 ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * (max - min) / Math.abs(med));
    }

    private static String fmt(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) return String.format(Locale.ROOT, "%.3g", v);
        if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
        if (a >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String machine(String java) {
        String memory = "unknown";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memory = String.format(Locale.ROOT, "%.1f GiB",
                            Long.parseLong(line.replaceAll("\\D", "")) / 1048576.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // leave unknown
        }
        String jdk = "unknown";
        try {
            Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
            List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            p.waitFor();
            if (lines.size() >= 2) jdk = lines.get(0) + " / " + lines.get(lines.size() - 1);
        } catch (IOException | InterruptedException e) {
            // leave unknown
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + memory + " RAM, " + jdk
                + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }
}
