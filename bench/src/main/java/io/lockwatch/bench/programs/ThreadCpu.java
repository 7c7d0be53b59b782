package io.lockwatch.bench.programs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a process's CPU went, by the kind of thread: the JIT's compiler threads, the GC's and the VM's own,
 * lockwatch's threads, and the rest (the program's). Read from {@code /proc/self/task} (Linux; elsewhere it
 * prints nothing), so it also sees the JVM's threads that Java cannot name. What the agent adds to the JIT's
 * and the GC's work shows here, where the elapsed time of a run on a busy machine cannot separate it.
 */
final class ThreadCpu {
    private ThreadCpu() {}

    /** Prints {@code jit_cpu}, {@code gc_cpu}, {@code agent_threads_cpu} and {@code process_cpu} so far, in ms. */
    static void print() {
        Map<String, Double> millis = byKind();
        if (millis.isEmpty()) return;
        double process;
        try {
            process = cpuMillis(Path.of("/proc/self/stat"));
        } catch (IOException | RuntimeException e) {
            return;
        }
        Metrics.print("jit_cpu", millis.getOrDefault("jit", 0.0), "ms", true);
        Metrics.print("gc_cpu", millis.getOrDefault("gc", 0.0), "ms", true);
        Metrics.print("agent_threads_cpu", millis.getOrDefault("agent", 0.0), "ms", true);
        // The process's own count also holds the threads that have ended (the tellers of each pass).
        Metrics.print("process_cpu", process, "ms", true);
    }

    private static Map<String, Double> byKind() {
        Map<String, Double> millis = new TreeMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) return millis;
        try (DirectoryStream<Path> all = Files.newDirectoryStream(tasks)) {
            for (Path task : all) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim();
                    millis.merge(kind(name), cpuMillis(task.resolve("stat")), Double::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while we read it
                }
            }
        } catch (IOException e) {
            return new TreeMap<>();
        }
        return millis;
    }

    /** utime + stime of a {@code stat} file: the 12th and 13th fields after the name in parentheses. */
    private static double cpuMillis(Path stat) throws IOException {
        String text = Files.readString(stat);
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * MILLIS_PER_TICK;
    }

    /** USER_HZ is 100 on every Linux the JDK runs on. */
    private static final double MILLIS_PER_TICK = 10;

    private static String kind(String threadName) {
        if (threadName.startsWith("C1 Compiler") || threadName.startsWith("C2 Compiler")) return "jit";
        if (threadName.startsWith("GC Thread") || threadName.startsWith("G1 ") || threadName.startsWith("VM ")) return "gc";
        if (threadName.startsWith("lockwatch")) return "agent";
        return "program";
    }
}
