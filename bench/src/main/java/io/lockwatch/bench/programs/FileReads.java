package io.lockwatch.bench.programs;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Small file reads, the way a service reads a template, a key or a {@code /proc} file per request. Each
 * {@code Files.readString} opens a file channel whose locks are its own (its position lock, its close lock, its
 * set of native threads, its file descriptor): with lockwatch, each read is four fresh locks and their edges
 * (twenty-seventh round). Reports ns per read of a 230-byte file three ways: {@code Files.readString}, a
 * {@code FileInputStream} read whole, and {@code Files.readString} under a lock of the program's own (whose
 * edges to the channel's locks are new every time too). One thread; each way warmed up first.
 *
 * <p>Arguments: [reads per way, default 20,000] [warm-up reads per way, default 10,000]. The defaults keep the
 * fresh locks of a run (about 12 per read of the three ways together) under the lock-order graph's cap.
 */
public final class FileReads {
    private static final String CONTENT = "a line of a small file\n".repeat(10); // 230 bytes
    private static final Object APPLICATION_LOCK = new Object();
    private static long sink;

    public static void main(String[] args) throws IOException {
        int reads = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        Path file = Files.createTempFile("lockwatch-bench-", ".txt");
        try {
            Files.writeString(file, CONTENT);
            readString(file, warmUp);
            Metrics.print("read_string_ns", readString(file, reads), "ns", true);
            readFileInputStream(file, warmUp);
            Metrics.print("file_input_stream_ns", readFileInputStream(file, reads), "ns", true);
            readStringUnderALock(file, warmUp);
            Metrics.print("read_string_under_a_lock_ns", readStringUnderALock(file, reads), "ns", true);
        } finally {
            Files.delete(file);
        }
        if (sink != (long) CONTENT.length() * (reads + warmUp) * 3) throw new AssertionError("read " + sink + " bytes");
    }

    private static double readString(Path file, int reads) throws IOException {
        long started = System.nanoTime();
        for (int i = 0; i < reads; i++) sink += Files.readString(file).length();
        return (double) (System.nanoTime() - started) / reads;
    }

    private static double readFileInputStream(Path file, int reads) throws IOException {
        long started = System.nanoTime();
        for (int i = 0; i < reads; i++) {
            try (FileInputStream in = new FileInputStream(file.toFile())) {
                sink += in.readAllBytes().length;
            }
        }
        return (double) (System.nanoTime() - started) / reads;
    }

    private static double readStringUnderALock(Path file, int reads) throws IOException {
        long started = System.nanoTime();
        for (int i = 0; i < reads; i++) {
            synchronized (APPLICATION_LOCK) {
                sink += Files.readString(file).length();
            }
        }
        return (double) (System.nanoTime() - started) / reads;
    }
}
