package io.lockwatch.runtime.track;

import io.lockwatch.bench.jmh.DeepCall;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One stack capture of a new edge ({@link StackCapture}), the two ways, at the default depth (64 frames
 * kept) from a stack of {@code frames} application frames (JMH's own ~10 below them):
 * <ul>
 *   <li>{@code throwable}: a Throwable's whole stack, then the frames kept (what a thread does first);</li>
 *   <li>{@code walker}: the stack walker, which stops at the depth (what a thread whose stacks ran deeper
 *       than {@link StackCapture#deepFrom} does).</li>
 * </ul>
 * Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the garbage per capture, which is what moved G1's
 * start-up collections (twenty-sixth round). Lives in the tracker's package: the capture is package-private.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class StackCaptureBenchmark {
    private static final int DEPTH = 64;

    @Param({"20", "40", "100", "200"})
    int frames;

    @Benchmark
    public StackTraceElement[] throwable() {
        return DeepCall.at(frames, () -> StackCapture.current(DEPTH));
    }

    @Benchmark
    public StackTraceElement[] walker() {
        return DeepCall.at(frames, () -> StackCapture.walked(DEPTH));
    }
}
