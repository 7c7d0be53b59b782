package io.lockwatch.bench.programs;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real application: an embedded H2 database, 4 threads of JDBC transactions (two updates and a commit;
 * a range query every tenth). Reports the elapsed time of the workload (database already created) and
 * of the whole program from JVM start (class loading and instrumentation included), and the CPU time of the
 * workload's own threads ({@code workload_cpu}). What they allocated ({@code workload_allocated}) and what the
 * main thread allocated before the pass ({@code allocated_before_workload}: the JVM's start, an agent's
 * {@code premain}, H2's setup) are exact counts, see {@link Allocated}. At the end, where the process's CPU went
 * by kind of thread (the JIT's, the GC's, lockwatch's: {@link ThreadCpu}).
 *
 * <p>Then, optionally, the same workload again and again: first some passes that are not timed, then the
 * timed ones ({@code steady_workload_elapsed}, the median of the timed passes, and {@code steady_workload_cpu},
 * the median of the tellers' CPU per timed pass). By then the classes are loaded and instrumented and the JIT
 * has done its work, so this is what a service that has been up for a while pays, where the first pass
 * includes the warm-up. The untimed passes are there because the second pass is not warmed up yet: on 2 cores
 * the JIT is still compiling H2's methods until about the tenth pass, with or without the agent, and even
 * later a single pass can take twice as long as its neighbours, hence the median. Same transactions, same
 * threads; fresh objects and locks as ever.
 *
 * <p>Arguments: [transactions per thread, default 10,000] [passes timed after the first, default 0]
 * [passes run untimed between the first and the timed ones, default 0].
 */
public final class H2Transactions {
    private static final int THREADS = 4;
    private static final int ACCOUNTS = 1000;

    public static void main(String[] args) throws Exception {
        int transactions = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        String url = "jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1";
        try (Connection setup = DriverManager.getConnection(url); Statement s = setup.createStatement()) {
            s.execute("create table account(id int primary key, balance bigint)");
            try (PreparedStatement insert = setup.prepareStatement("insert into account values(?, 1000000)")) {
                for (int i = 0; i < ACCOUNTS; i++) {
                    insert.setInt(1, i);
                    insert.executeUpdate();
                }
            }
        }
        int steadyPasses = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        int untimedPasses = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        AtomicLong tellersCpu = new AtomicLong();
        AtomicLong tellersAllocated = new AtomicLong();
        long allocatedBefore = Allocated.byCurrentThread();
        long faultsBefore = PageFaults.minor();
        long elapsed = pass(url, transactions, tellersCpu, tellersAllocated);
        long faultsAfter = PageFaults.minor();
        Metrics.print("workload_elapsed", elapsed / 1e6, "ms", true);
        Metrics.print("workload_cpu", tellersCpu.get() / 1e6, "ms", true);
        if (allocatedBefore >= 0 && tellersAllocated.get() >= 0) {
            Metrics.print("workload_allocated", tellersAllocated.get() / (1024.0 * 1024), "MiB", true);
            Metrics.print("allocated_before_workload", allocatedBefore / (1024.0 * 1024), "MiB", true);
        }
        Metrics.print("tx_per_second", THREADS * (double) transactions / (elapsed / 1e9), "tx/s", false);
        // Why JDK 17's first pass moves (README, "What is left"): how many fresh pages the pass touched, and
        // whether the collector grew the heap by then. Both depend on G1's sizing, not on the workload.
        if (faultsBefore >= 0 && faultsAfter >= 0) {
            Metrics.print("workload_page_faults", faultsAfter - faultsBefore, "faults", true);
        }
        Metrics.print("heap_committed_after_pass", Runtime.getRuntime().totalMemory() / (1024.0 * 1024), "MiB", true);
        for (int p = 0; p < untimedPasses; p++) pass(url, transactions, new AtomicLong(), new AtomicLong());
        if (steadyPasses > 0) {
            long[] passElapsed = new long[steadyPasses];
            long[] passCpu = new long[steadyPasses];
            for (int p = 0; p < steadyPasses; p++) {
                tellersCpu.set(0);
                passElapsed[p] = pass(url, transactions, tellersCpu, new AtomicLong());
                passCpu[p] = tellersCpu.get();
            }
            Metrics.print("steady_workload_elapsed", median(passElapsed) / 1e6, "ms", true);
            Metrics.print("steady_workload_cpu", median(passCpu) / 1e6, "ms", true);
        }
        ThreadCpu.print();
    }

    /**
     * One pass of the workload: the tellers started, their transactions done, the books checked. Adds the
     * tellers' own CPU time to {@code tellersCpu}: what the workload's threads paid, without the JIT's and the
     * GC's threads, and without the time they waited for the CPU, which other processes on the machine inflate;
     * and the bytes they allocated to {@code tellersAllocated} (which becomes -1 where the JVM does not count them).
     *
     * @return its nanoseconds
     */
    private static long pass(String url, int transactions, AtomicLong tellersCpu, AtomicLong tellersAllocated)
            throws Exception {
        long started = System.nanoTime();
        Workers tellers = new Workers();
        for (int t = 0; t < THREADS; t++) {
            int seed = t;
            tellers.start("teller-" + t, () -> {
                long allocatedAtStart = Allocated.byCurrentThread();
                run(url, seed, transactions);
                tellersCpu.addAndGet(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
                long allocatedAtEnd = Allocated.byCurrentThread();
                long mine = allocatedAtStart < 0 || allocatedAtEnd < 0 ? -1 : allocatedAtEnd - allocatedAtStart;
                tellersAllocated.accumulateAndGet(mine, (sum, teller) -> sum < 0 || teller < 0 ? -1 : sum + teller);
            });
        }
        tellers.joinAll();
        long elapsed = System.nanoTime() - started;
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select sum(balance) from account")) {
            rs.next();
            if (rs.getLong(1) != ACCOUNTS * 1_000_000L) throw new AssertionError("money lost: " + rs.getLong(1));
        }
        return elapsed;
    }

    /** The median: one pass that a late compilation or a collection slowed does not move it. */
    private static double median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
    }

    private static void run(String url, int seed, int transactions) {
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            PreparedStatement debit = c.prepareStatement("update account set balance = balance - 1 where id = ?");
            PreparedStatement credit = c.prepareStatement("update account set balance = balance + 1 where id = ?");
            PreparedStatement range = c.prepareStatement(
                    "select count(*), sum(balance) from account where id between ? and ?");
            // Each thread works on its own quarter of the accounts: the cost measured is the engine's
            // locking, not lock waits or retries between tellers.
            int base = seed * (ACCOUNTS / THREADS);
            int span = ACCOUNTS / THREADS;
            for (int i = 0; i < transactions; i++) {
                int from = base + (i * 7) % span;
                int to = base + (i * 7 + 1 + seed) % span;
                if (from == to) to = base + (to - base + 1) % span;
                debit.setInt(1, Math.min(from, to));
                debit.executeUpdate();
                credit.setInt(1, Math.max(from, to));
                credit.executeUpdate();
                c.commit();
                if (i % 10 == 0) {
                    range.setInt(1, from);
                    range.setInt(2, from + 20);
                    try (ResultSet rs = range.executeQuery()) {
                        rs.next();
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
