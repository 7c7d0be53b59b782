package io.lockwatch.bench.jmh;

import io.lockwatch.runtime.util.PlatformThreads;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hang detector's first pass over {@code threads} waiting platform threads: which threads to ask the JVM
 * about ({@code PlatformThreads.safeToSnapshot}, which lists them itself to leave the carriers of virtual
 * threads out, JDK-8392031) next to the JVM's own id list it replaced, and the snapshot itself.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ThreadListingBenchmark {
    @Param({"20", "1000"})
    public int threads;

    private final CountDownLatch end = new CountDownLatch(1);
    private final Set<Long> leaveOut = Collections.emptySet();
    private ThreadMXBean jvm;
    private long[] ids;

    @Setup(Level.Trial)
    public void startThreads() {
        jvm = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    end.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "waiter-" + i);
            t.setDaemon(true);
            t.start();
        }
        ids = PlatformThreads.safeToSnapshot(jvm, leaveOut);
    }

    @TearDown(Level.Trial)
    public void endThreads() {
        end.countDown();
    }

    @Benchmark
    public long[] jvmIdList() {
        return jvm.getAllThreadIds();
    }

    @Benchmark
    public long[] safeToSnapshot() {
        return PlatformThreads.safeToSnapshot(jvm, leaveOut);
    }

    @Benchmark
    public ThreadInfo[] snapshot() {
        return jvm.getThreadInfo(ids, 0);
    }
}
