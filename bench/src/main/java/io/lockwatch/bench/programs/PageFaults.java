package io.lockwatch.bench.programs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's minor page faults so far, from Linux's {@code /proc/self/stat}: each is a page the process
 * touched for the first time (the kernel maps and zeroes it). On JDK 17 with G1, a first pass that runs into
 * heap regions nobody touched yet pays for them here (bench/PERFORMANCE-ROUNDS.md, rounds 17 and 18).
 */
final class PageFaults {
    /** Field 10 of {@code /proc/<pid>/stat}, counted from the one after the command name's closing parenthesis (field 3). */
    private static final int MINFLT_AFTER_NAME = 10 - 3;

    private PageFaults() {}

    /** @return minor faults since the process started, or -1 where there is no {@code /proc} */
    static long minor() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // The command name may hold spaces and parentheses: the fields start after its last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[MINFLT_AFTER_NAME]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
