package io.lockwatch.bench.jmh;

import java.util.function.Supplier;

/**
 * Runs something {@code frames} calls deep, in frames of the application's (this package's; lockwatch
 * leaves its own packages out of captured stacks, so a benchmark's own recursion would not count).
 */
public final class DeepCall {
    private DeepCall() {}

    public static <T> T at(int frames, Supplier<T> what) {
        return frames <= 0 ? what.get() : at(frames - 1, what);
    }
}
