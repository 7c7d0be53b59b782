package io.lockwatch.bench.programs;

/**
 * One lock per call: a loop calling a small synchronized method, the way code calls {@code StringBuffer},
 * {@code Vector}, {@code Hashtable} or its own synchronized getters. Unlike the nested case, where one
 * method takes all the locks of an iteration, every call here starts a new method invocation, so the agent
 * looks the thread's state up on each. Reports ns per call of the timed pass, after an untimed warm-up.
 *
 * <p>The method is a leaf (nothing called inside), which lockwatch checks without putting it on the held
 * stack. A second pass ({@code ordinary_ns_per_call}, since the twenty-fifth round) calls one that calls a
 * small helper inside, as most synchronized methods call something: an ordinary site, pushed and popped.
 *
 * <p>Arguments: [calls, default 50,000,000] [warm-up calls, default 10,000,000].
 */
public final class SynchronizedCalls {
    private long count;

    synchronized void increment() {
        count++;
    }

    synchronized void incrementThroughACall() {
        count = next(count);
    }

    private static long next(long value) {
        return value + 1;
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

        SynchronizedCalls ordinary = new SynchronizedCalls();
        loopThroughACall(ordinary, warmUp);
        started = System.nanoTime();
        loopThroughACall(ordinary, calls);
        Metrics.print("ordinary_ns_per_call", (double) (System.nanoTime() - started) / calls, "ns", true);
        if (ordinary.count != calls + warmUp) throw new AssertionError("count " + ordinary.count);
    }

    private static void loop(SynchronizedCalls target, long calls) {
        for (long i = 0; i < calls; i++) target.increment();
    }

    private static void loopThroughACall(SynchronizedCalls target, long calls) {
        for (long i = 0; i < calls; i++) target.incrementThroughACall();
    }
}
