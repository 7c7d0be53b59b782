package io.lockwatch.dashboards;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Prometheus's promtool (Debian package {@code prometheus}; {@code .ci/run} installs it). */
public final class Promtool {
    private Promtool() {}

    /** What promtool printed and how it exited. */
    public static final class Result {
        public final int exitCode;
        public final String output;

        Result(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }
    }

    public static Result run(Path workDir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(executable());
        command.addAll(Arrays.asList(args));
        try {
            Path out = Files.createTempFile("promtool", ".txt");
            Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("promtool did not finish within 120s: " + command);
            }
            String output = new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** promtool on the PATH; a missing one fails with the fix rather than a bare IOException. */
    public static String executable() {
        return onPath("promtool", "prometheus");
    }

    /** The full path of a program on the PATH, or an AssertionError naming the Debian package. */
    public static String onPath(String program, String debianPackage) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin" : path).split(":")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) return candidate.toString();
        }
        throw new AssertionError(program + " is not installed: apt-get install " + debianPackage
                + " (.ci/run does this)");
    }
}
