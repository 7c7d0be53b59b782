package io.lockwatch.it.programs;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** A real application with many classes: an embedded H2 database under a short JDBC workload in 4 threads. */
public final class H2Workload {
    public static void main(String[] args) throws Exception {
        String url = "jdbc:h2:mem:bank;DB_CLOSE_DELAY=-1";
        try (Connection setup = DriverManager.getConnection(url); Statement s = setup.createStatement()) {
            s.execute("create table account(id int primary key, balance bigint)");
            for (int i = 0; i < 100; i++) s.execute("insert into account values(" + i + ", 1000)");
        }
        int transactions = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int seed = t;
            threads.add(new Thread(() -> run(url, seed, transactions), "teller-" + t));
        }
        for (Thread t : threads) t.start();
        for (Thread t : threads) t.join();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select sum(balance) from account")) {
            rs.next();
            System.out.println("total=" + rs.getLong(1));
        }
    }

    static void run(String url, int seed, int transactions) {
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            PreparedStatement debit = c.prepareStatement("update account set balance = balance - 1 where id = ?");
            PreparedStatement credit = c.prepareStatement("update account set balance = balance + 1 where id = ?");
            PreparedStatement range = c.prepareStatement("select count(*), sum(balance) from account where id between ? and ?");
            for (int i = 0; i < transactions; i++) {
                int from = (seed * 31 + i * 7) % 100;
                int to = (from + 1 + seed) % 100;
                // Rows are updated in id order, so the database itself never deadlocks.
                boolean debitFirst = from < to;
                (debitFirst ? debit : credit).setInt(1, debitFirst ? from : to);
                (debitFirst ? debit : credit).executeUpdate();
                (debitFirst ? credit : debit).setInt(1, debitFirst ? to : from);
                (debitFirst ? credit : debit).executeUpdate();
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
