package io.lockwatch.it.programs;

import java.nio.file.Files;
import java.nio.file.Paths;

/** The test's signal to a program that waits for it: the file "go" in the program's working directory. */
final class GoFile {
    private static final long MAX_WAIT_NANOS = 60_000_000_000L;

    private GoFile() {}

    /** Returns once the test has created "go", or after a minute (a test that failed to say go). */
    static void await() throws InterruptedException {
        long deadline = System.nanoTime() + MAX_WAIT_NANOS;
        while (!Files.exists(Paths.get("go")) && System.nanoTime() < deadline) Thread.sleep(20);
    }
}
