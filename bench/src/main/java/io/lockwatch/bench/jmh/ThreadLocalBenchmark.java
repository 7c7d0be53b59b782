package io.lockwatch.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reference costs for the per-thread state lookup that every tracked acquisition and release pays:
 * a ThreadLocal (hash probe in the thread's map) against a field-only read of the current thread; and
 * the identity hash the registry lookup needs, of an unlocked object and of one the thread holds locked.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ThreadLocalBenchmark {
    private static final ThreadLocal<Object> STATE = ThreadLocal.withInitial(Object::new);

    @Benchmark
    public Object threadLocalGet() {
        return STATE.get();
    }

    final Object lock = new Object();

    @Benchmark
    public Thread currentThread() {
        return Thread.currentThread();
    }

    @Benchmark
    public int identityHashUnlocked() {
        return System.identityHashCode(lock);
    }

    @Benchmark
    public int identityHashWhileLocked() {
        synchronized (lock) {
            return System.identityHashCode(lock);
        }
    }

    @Benchmark
    public int lockOnly() {
        synchronized (lock) {
            return 1;
        }
    }
}
