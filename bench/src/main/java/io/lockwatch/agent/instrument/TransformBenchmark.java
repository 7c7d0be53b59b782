package io.lockwatch.agent.instrument;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The class transformer, given class files as the JVM gives them to it when a class loads:
 * <ul>
 *   <li>{@code instrumentTheJdkClassesWithLocks}: every class of java.base that takes a lock, as the running
 *       JDK's list names them (about 400, 3.7 MB of class files on JDK 17), each instrumented;
 *   <li>{@code passTheJdkClassesWithoutLocks}: 2,000 classes of java.base that take none (most classes an
 *       application loads), each skimmed and passed over.
 * </ul>
 * Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is what the transformer allocates per operation, which
 * a JVM pays again for each class it loads (eighteenth round). Lives in the transformer's package: its entry
 * points are package-private.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class TransformBenchmark {
    private LockSiteFilter filter;
    private final List<String> names = new ArrayList<>();
    private final List<byte[]> classFiles = new ArrayList<>();
    private final List<String> namesWithoutLocks = new ArrayList<>();
    private final List<byte[]> classFilesWithoutLocks = new ArrayList<>();

    @Setup
    public void readClassFiles() throws IOException {
        filter = new LockSiteFilter(List.of());
        String list = "jdk-lock-classes-" + JdkLockClasses.runningRelease() + ".txt";
        try (InputStream in = TransformBenchmark.class.getResourceAsStream(list)) {
            if (in == null) throw new IllegalStateException("no list " + list + " in the agent for this JDK");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String name = line.trim();
                if (name.isEmpty() || name.startsWith("#")) continue;
                try (InputStream classFile = ClassLoader.getSystemResourceAsStream(name.replace('.', '/') + ".class")) {
                    if (classFile == null) continue;
                    names.add(name.replace('.', '/'));
                    classFiles.add(classFile.readAllBytes());
                }
            }
        }
        // java.base's other classes, in the image's order, up to 2,000
        Path base = FileSystems.getFileSystem(URI.create("jrt:/")).getPath("/modules/java.base");
        try (Stream<Path> files = Files.walk(base)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (namesWithoutLocks.size() == 2000) break;
                String name = base.relativize(file).toString();
                if (!name.endsWith(".class") || name.equals("module-info.class")) continue;
                String internalName = name.substring(0, name.length() - ".class".length());
                if (names.contains(internalName)) continue;
                namesWithoutLocks.add(internalName);
                classFilesWithoutLocks.add(Files.readAllBytes(file));
            }
        }
    }

    @Benchmark
    public long instrumentTheJdkClassesWithLocks() {
        return transformAll(names, classFiles);
    }

    @Benchmark
    public long passTheJdkClassesWithoutLocks() {
        return transformAll(namesWithoutLocks, classFilesWithoutLocks);
    }

    /** @return the bytes written, so that nothing is optimized away */
    private long transformAll(List<String> internalNames, List<byte[]> files) {
        long written = 0;
        for (int i = 0; i < files.size(); i++) {
            byte[] out = filter.transform(null, null, internalNames.get(i), null, null, files.get(i));
            if (out != null) written += out.length;
        }
        return written;
    }
}
