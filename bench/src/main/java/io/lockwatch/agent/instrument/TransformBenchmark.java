package io.lockwatch.agent.instrument;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * The class transformer on the JDK classes it rewrites: every class of java.base that takes a lock, as the
 * running JDK's list names them (about 400, 3.7 MB of class files on JDK 17), instrumented once per
 * operation. Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is what the transformer allocates for them,
 * which a JVM pays for each class it loads with a lock site (eighteenth round: 34.7 MB before, 18.3 MB since,
 * for 4.1 MB of output). Lives in the transformer's package: its entry points are package-private.
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
    }

    /** @return the bytes written, so that nothing is optimized away */
    @Benchmark
    public long instrumentTheJdkClassesWithLocks() {
        long written = 0;
        for (int i = 0; i < classFiles.size(); i++) {
            byte[] out = filter.transform(null, null, names.get(i), null, null, classFiles.get(i));
            if (out != null) written += out.length;
        }
        return written;
    }
}
