package io.lockwatch.bench.programs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A program's worker threads, whose failures fail the program. A thread that dies of an exception (the
 * program's or, in a run with the agent, one the agent threw into it) would otherwise only print its stack
 * trace: the program went on, exited 0, and the runner took the survivors' rate, or the shorter elapsed
 * time, for the run's result. Now {@link #joinAll} throws, the program exits non-zero, and the runner
 * stops at that run with the path of its log.
 */
final class Workers {
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

    /** Starts {@code body} on a new thread of the given name. */
    void start(String name, Runnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                firstFailure.compareAndSet(null, e);
                throw e;
            }
        }, name);
        threads.add(thread);
        thread.start();
    }

    /** Waits for every thread; then throws the first failure, if any thread failed. */
    void joinAll() throws InterruptedException {
        for (Thread thread : threads) thread.join();
        Throwable failure = firstFailure.get();
        if (failure != null) throw new AssertionError("a worker thread failed: " + failure, failure);
    }
}
