package io.lockwatch.bench.programs;

import java.util.concurrent.ThreadFactory;

/**
 * Tasks that fork and join, on virtual threads: in each round, {@code parents} virtual threads each start two
 * children that do a little work and joins them, and the main thread joins the parents. While a round runs, most
 * parents wait in a join. lockwatch watches a thread that joins a virtual thread (forty-sixth round), and a hang check
 * that came while they waited took every one of them into its wait-for graph: +16% wall and +170 MiB at peak with
 * 200,000 parents, before the check learnt to leave out a join of a thread that runs. Reports ns per parent.
 *
 * <p>Arguments: [parents per round, default 100,000] [rounds, default 4]. Before JDK 21 (no virtual threads) it runs
 * platform threads, a hundredth as many, and says so.
 */
public final class VirtualForkJoin {
    private static volatile long sink;

    public static void main(String[] args) throws Exception {
        int parents = VirtualThreads.scaled(args.length > 0 ? Integer.parseInt(args[0]) : 100_000);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        ThreadFactory factory = VirtualThreads.factoryOrPlatform();
        long started = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            Thread[] forking = new Thread[parents];
            for (int i = 0; i < parents; i++) {
                forking[i] = factory.newThread(() -> {
                    Thread left = factory.newThread(VirtualForkJoin::work);
                    Thread right = factory.newThread(VirtualForkJoin::work);
                    left.start();
                    right.start();
                    join(left);
                    join(right);
                });
                forking[i].start();
            }
            for (Thread parent : forking) join(parent);
        }
        Metrics.print("ns_per_parent", (double) (System.nanoTime() - started) / ((long) parents * rounds), "ns", true);
    }

    private static void work() {
        long x = 0;
        for (int i = 0; i < 1_000; i++) x += i * 31L;
        sink += x;
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
