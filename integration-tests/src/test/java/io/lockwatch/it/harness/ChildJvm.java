package io.lockwatch.it.harness;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs a test program in a child JVM with the real agent jar, the way a user would, and collects what a
 * user would see: exit code, stdout, stderr and the report.
 *
 * <p>The child runs on the JDK named by {@code lockwatch.childJavaHome} (Maven runs the suite once per
 * JDK). Each run gets its own folder under {@code target/child-runs}, kept for post-mortems.
 */
public final class ChildJvm {
    private static final Path AGENT_JAR = Paths.get(required("lockwatch.agentJar"));
    private static final String CLASSPATH = required("lockwatch.programClasspath");
    private static final Path JAVA_HOME = Paths.get(required("lockwatch.childJavaHome"));
    private static final Path WORK = Paths.get(required("lockwatch.workDir"));
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Class<?> program;
    private final List<String> programArgs = new ArrayList<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> libraries = new ArrayList<>();
    private final Map<String, String> environment = new HashMap<>();
    private String agentOptions;
    private Path agentJar = AGENT_JAR;
    private boolean withAgent = true;
    private boolean reportOption = true;
    private long timeoutSeconds = 60;
    private String containerHostName;
    private Path executableJar;
    private static volatile Boolean containersWork;

    private ChildJvm(Class<?> program) {
        this.program = program;
    }

    public static ChildJvm run(Class<?> program) {
        return new ChildJvm(program);
    }

    /** The text after {@code =} in {@code -javaagent:}; the harness adds {@code report=} unless told not to. */
    public ChildJvm agentOptions(String options) {
        this.agentOptions = options;
        return this;
    }

    /** Another build of the agent jar (a copy with a resource changed, say) instead of the real one. */
    public ChildJvm agentJar(Path jar) {
        this.agentJar = jar;
        return this;
    }

    /** The real agent jar, the one every child runs with unless told otherwise. */
    public static Path realAgentJar() {
        return AGENT_JAR;
    }

    /** A folder of this run's files for the child JDK, for a test's own files. */
    public static Path workDir() throws IOException {
        return Files.createDirectories(WORK.resolve(JAVA_HOME.getFileName().toString()));
    }

    public ChildJvm withoutAgent() {
        this.withAgent = false;
        return this;
    }

    /** Leaves the report path to the agent's own default or to the options given. */
    public ChildJvm withoutReportOption() {
        this.reportOption = false;
        return this;
    }

    public ChildJvm jvmArgs(String... args) {
        jvmArgs.addAll(Arrays.asList(args));
        return this;
    }

    /** Adds the test class path's jar whose file name starts with {@code jarPrefix} (e.g. "log4j-1.2") to the child's. */
    public ChildJvm library(String jarPrefix) {
        libraries.add(libraryJar(jarPrefix).toString());
        return this;
    }

    /** The test class path's jar whose file name starts with {@code jarPrefix}. */
    public static Path libraryJar(String jarPrefix) {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (Paths.get(entry).getFileName().toString().startsWith(jarPrefix)) return Paths.get(entry);
        }
        throw new IllegalStateException("no " + jarPrefix + "* jar on the test class path");
    }

    /** The folder of the test programs' class files. */
    public static Path programClasses() {
        return Paths.get(CLASSPATH);
    }

    public ChildJvm args(String... args) {
        programArgs.addAll(Arrays.asList(args));
        return this;
    }

    /**
     * Runs {@code java -jar jar} instead of the program on the test class path; the program class still names the
     * run's folder.
     */
    public ChildJvm executableJar(Path jar) {
        this.executableJar = jar;
        return this;
    }

    public ChildJvm env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /**
     * Runs the child as a container runs a service: in a process namespace of its own, where the JVM is pid 1,
     * and a host name namespace with this name (Linux's unshare, as root; see {@link #containersWork}). Such a
     * JVM keeps no hsperfdata file: two of them would share /tmp/hsperfdata_USER/1.
     */
    public ChildJvm inContainer(String hostName) {
        this.containerHostName = hostName;
        return jvmArgs("-XX:-UsePerfData");
    }

    /** Can this machine run a child {@link #inContainer}? */
    public static boolean containersWork() {
        Boolean works = containersWork;
        if (works == null) {
            try {
                Process p = new ProcessBuilder("unshare", "--uts", "--pid", "--fork", "--mount-proc", "true")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                works = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                works = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                works = false;
            }
            containersWork = works;
        }
        return works;
    }

    public ChildJvm timeoutSeconds(long seconds) {
        this.timeoutSeconds = seconds;
        return this;
    }

    /** A tool of the child's JDK, e.g. {@code jfr}. */
    public static Path jdkTool(String name) {
        return JAVA_HOME.resolve("bin").resolve(name);
    }

    /** A short name of the child JDK (its folder), for file names. */
    public static String javaVersion() {
        return JAVA_HOME.getFileName().toString();
    }

    /** The child JDK's feature version (17, 25, ...), from its {@code release} file. */
    public static int childFeatureVersion() {
        try {
            for (String line : Files.readAllLines(JAVA_HOME.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.+-]")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read the version of " + JAVA_HOME, e);
        }
        throw new IllegalStateException("no JAVA_VERSION in " + JAVA_HOME.resolve("release"));
    }

    /** Starts the child and waits for it to exit; a child that outlives the timeout fails the test. */
    public ChildResult exec() {
        Running running = start();
        return running.awaitExit(timeoutSeconds);
    }

    /** Starts the child without waiting: for programs that hang, which the test then kills. */
    public Running start() {
        try {
            Path dir = Files.createTempDirectory(workDir(), program.getSimpleName() + "-"); // unique: tests may run at once
            Path report = dir.resolve("report.json");
            List<String> command = new ArrayList<>();
            if (containerHostName != null) {
                // sh sets the host name inside the new namespaces, then becomes the JVM: pid 1.
                command.addAll(List.of("unshare", "--uts", "--pid", "--fork", "--mount-proc", "--kill-child",
                        "sh", "-c", "hostname \"$0\" && exec \"$@\"", containerHostName));
            }
            command.add(JAVA_HOME.resolve("bin/java").toString());
            if (withAgent) {
                List<String> options = new ArrayList<>();
                if (reportOption) options.add("report=" + report);
                if (agentOptions != null && !agentOptions.isEmpty()) options.add(agentOptions);
                String joined = String.join(",", options);
                command.add("-javaagent:" + agentJar + (joined.isEmpty() ? "" : "=" + joined));
            }
            command.addAll(jvmArgs);
            if (executableJar != null) {
                command.add("-jar");
                command.add(executableJar.toString());
            } else {
                command.add("-cp");
                List<String> classpath = new ArrayList<>(libraries);
                classpath.add(0, CLASSPATH);
                command.add(String.join(java.io.File.pathSeparator, classpath));
                command.add(program.getName());
            }
            command.addAll(programArgs);
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(dir.resolve("stdout.txt").toFile())
                    .redirectError(dir.resolve("stderr.txt").toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("LOCKWATCH_"));
            pb.environment().putAll(environment);
            Files.write(dir.resolve("command.txt"), String.join(" ", command).getBytes());
            return new Running(pb.start(), dir, report);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start child JVM", e);
        }
    }

    /** A child JVM that is running. */
    public static final class Running {
        /** Where {@link #killWithThreadDump} saves the threads of a child a test gave up waiting for. */
        static final String THREAD_DUMP = "threads-at-timeout.txt";
        private final Process process;
        private final Path dir;
        private final Path report;

        Running(Process process, Path dir, Path report) {
            this.process = process;
            this.dir = dir;
            this.report = report;
        }

        public long pid() {
            return process.pid();
        }

        public Path dir() {
            return dir;
        }

        /** Waits (bounded) until the child's stdout has the line; a test program says where it is this way. */
        public void awaitStdoutLine(String line, long timeoutSeconds) {
            awaitFile("stdout.txt", line, timeoutSeconds);
        }

        /** Waits (bounded) until stderr contains the text: for findings the agent prints as it finds them. */
        public void awaitStderr(String text, long timeoutSeconds) {
            awaitFile("stderr.txt", timeoutSeconds, text);
        }

        /** Waits (bounded) until stderr contains one of the texts: for an outcome that may go either way. */
        public void awaitStderrAny(long timeoutSeconds, String... texts) {
            awaitFile("stderr.txt", timeoutSeconds, texts);
        }

        private void awaitFile(String file, String text, long timeoutSeconds) {
            awaitFile(file, timeoutSeconds, text);
        }

        private void awaitFile(String file, long timeoutSeconds, String... texts) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (System.nanoTime() < deadline) {
                String content = read(dir.resolve(file));
                for (String text : texts) {
                    if (content.contains(text)) return;
                }
                if (!process.isAlive()) break;
                pause();
            }
            killWithThreadDump();
            fail("child never printed '" + String.join("' or '", texts) + "' to " + file + "; see " + dir);
        }

        /**
         * Waits (bounded) until the report on disk satisfies the condition, and returns it: for findings that
         * grow after they are first written.
         */
        public JsonNode awaitReport(String what, Predicate<JsonNode> condition, long timeoutSeconds) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            JsonNode last = null;
            while (System.nanoTime() < deadline) {
                try {
                    if (Files.exists(report)) {
                        last = MAPPER.readTree(report.toFile());
                        if (condition.test(last)) return last;
                    }
                } catch (IOException e) {
                    // The report is replaced by a rename, so this is rare: read it again.
                }
                if (!process.isAlive()) break;
                pause();
            }
            killWithThreadDump();
            fail("the report never showed " + what + "; see " + dir + "\nlast report:\n"
                    + (last == null ? "none" : last.toPrettyString()));
            return null;
        }

        /** SIGTERM, as a service manager stops a service, then wait for the exit. */
        public ChildResult terminate(long timeoutSeconds) {
            process.destroy();
            return awaitExit(timeoutSeconds);
        }

        /** SIGKILL: no shutdown hook runs. */
        public ChildResult kill(long timeoutSeconds) {
            process.destroyForcibly();
            return awaitExit(timeoutSeconds);
        }

        public ChildResult awaitExit(long timeoutSeconds) {
            try {
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    killWithThreadDump();
                    process.waitFor(10, TimeUnit.SECONDS);
                    fail("child JVM did not exit within " + timeoutSeconds + "s; see " + dir);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return new ChildResult(process.exitValue(), read(dir.resolve("stdout.txt")),
                    read(dir.resolve("stderr.txt")), report, dir);
        }

        /**
         * Kills a child that a test gave up waiting for, after saving its threads as they were ({@value #THREAD_DUMP},
         * by the child JDK's {@code jcmd}; best effort, bounded): a timeout then leaves more to look at than its
         * output, whether the child hung, spun or was starved of the CPU.
         */
        private void killWithThreadDump() {
            if (process.isAlive()) {
                try {
                    Process jcmd = new ProcessBuilder(jdkTool("jcmd").toString(), String.valueOf(process.pid()),
                            "Thread.print", "-l").redirectErrorStream(true)
                            .redirectOutput(dir.resolve(THREAD_DUMP).toFile()).start();
                    if (!jcmd.waitFor(30, TimeUnit.SECONDS)) jcmd.destroyForcibly();
                } catch (IOException e) {
                    // no dump: the timeout's message still names the folder
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            process.destroyForcibly();
        }

        private static void pause() {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) throw new IllegalStateException("system property " + property + " is not set (run through Maven)");
        return value;
    }
}
