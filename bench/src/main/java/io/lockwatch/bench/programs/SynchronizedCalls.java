package io.lockwatch.bench.programs;

/**
 * One lock per call: a loop calling a small synchronized method, the way code calls {@code StringBuffer},
 * {@code Vector}, {@code Hashtable} or its own synchronized getters. Unlike the nested case, where one
 * method takes all the locks of an iteration, every call here starts a new method invocation, so the agent
 * looks the thread's state up on each. Reports ns per call of the timed pass, after an untimed warm-up.
 *
 * <p>Arguments: [calls, default 50,000,000] [warm-up calls, default 10,000,000].
 */
public final class SynchronizedCalls {
    private long count;

    synchronized void increment() {
        count++;
    }

    public static void main(String[] args) {
        long calls = args.length > 0 ? Long.parseLong(args[0]) : 50_000_000L;
        long warmUp = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
        SynchronizedCalls target = new SynchronizedCalls();
        loop(target, warmUp);
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStarted = cpu.getCurrentThreadCpuTime();
        long started = System.nanoTime();
        loop(target, calls);
        long elapsed = System.nanoTime() - started;
        long cpuElapsed = cpu.getCurrentThreadCpuTime() - cpuStarted;
        Metrics.print("ns_per_call", (double) elapsed / calls, "ns", true);
        Metrics.print("cpu_ns_per_call", (double) cpuElapsed / calls, "ns", true);
        if (target.count != calls + warmUp) throw new AssertionError("count " + target.count);
    }

    private static void loop(SynchronizedCalls target, long calls) {
        for (long i = 0; i < calls; i++) target.increment();
    }
}
