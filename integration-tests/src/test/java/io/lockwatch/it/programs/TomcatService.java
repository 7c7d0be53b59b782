package io.lockwatch.it.programs;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;

/**
 * A small web service as production runs one: embedded Tomcat, a HikariCP pool of H2 connections, servlets that
 * run transactions.
 *
 * <p>"serve": 8 client threads send 150 requests each to {@code /transfer}, each a transaction that moves money
 * between two of 16 accounts (two updates and a commit), through a pool of 4 connections. Prints "served 1200",
 * then the total of the balances, which transfers keep ("total=16000"), and stops the server.
 *
 * <p>"pool-deadlock": a pool of one connection. {@code /report} takes the connection, then the report cache's
 * monitor; {@code /refresh} takes the cache's monitor, then asks the pool for a connection. One of each at once:
 * each waits for what the other holds, one on a monitor, the other on the pool (HikariCP's connection timeout set
 * to ten minutes, so for ever here). Prints "waiting" once both are in; never ends.
 */
public final class TomcatService {
    static final int ACCOUNTS = 16;
    static final Object REPORT_CACHE = new Object();

    public static void main(String[] args) throws Exception {
        boolean poolDeadlock = args.length > 0 && args[0].equals("pool-deadlock");
        // Quiet, so that stderr has lockwatch's lines only: Tomcat's start-up lines and its warnings at stop that
        // its leak checks need --add-opens (java.util.logging), and SLF4J's warning that HikariCP has no logger bound.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:bank;DB_CLOSE_DELAY=-1");
        config.setMaximumPoolSize(poolDeadlock ? 1 : 4);
        config.setConnectionTimeout(600_000);
        config.setPoolName("bank-pool");
        HikariDataSource pool = new HikariDataSource(config);
        createAccounts(pool);

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("tomcat").toString());
        tomcat.setPort(0);
        tomcat.getConnector();
        Context context = tomcat.addContext("", null);
        CountDownLatch reportHasConnection = new CountDownLatch(1);
        CountDownLatch refreshHoldsCache = new CountDownLatch(1);
        add(context, "/transfer", (request, response) -> transfer(pool));
        add(context, "/report", (request, response) -> {
            try (Connection c = pool.getConnection()) {
                reportHasConnection.countDown();
                Hang.await(refreshHoldsCache);
                synchronized (REPORT_CACHE) { // waits for /refresh, which waits for this connection
                    response.getWriter().println(total(c));
                }
            }
        });
        add(context, "/refresh", (request, response) -> {
            synchronized (REPORT_CACHE) {
                refreshHoldsCache.countDown();
                Hang.await(reportHasConnection);
                try (Connection c = pool.getConnection()) { // waits for /report's connection
                    response.getWriter().println(total(c));
                }
            }
        });
        tomcat.start();
        URI base = URI.create("http://localhost:" + tomcat.getConnector().getLocalPort());
        HttpClient client = HttpClient.newHttpClient();

        if (poolDeadlock) {
            client.sendAsync(get(base, "/report"), HttpResponse.BodyHandlers.ofString());
            client.sendAsync(get(base, "/refresh"), HttpResponse.BodyHandlers.ofString());
            reportHasConnection.await();
            refreshHoldsCache.await();
            System.out.println("waiting");
            Hang.await(new CountDownLatch(1));
        }

        List<Thread> clients = new ArrayList<>();
        int[] served = new int[8];
        for (int i = 0; i < served.length; i++) {
            int me = i;
            clients.add(new Thread(() -> {
                for (int n = 0; n < 150; n++) {
                    try {
                        HttpResponse<String> response = client.send(get(base, "/transfer"), HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 200) throw new IllegalStateException("status " + response.statusCode());
                        served[me]++;
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }, "client-" + i));
        }
        for (Thread t : clients) t.start();
        for (Thread t : clients) t.join();
        int total = 0;
        for (int s : served) total += s;
        System.out.println("served " + total);
        try (Connection c = pool.getConnection()) {
            System.out.println("total=" + total(c));
        }
        tomcat.stop();
        tomcat.destroy();
        pool.close();
    }

    interface Handler {
        void handle(HttpServletRequest request, HttpServletResponse response) throws IOException, SQLException;
    }

    private static void add(Context context, String path, Handler handler) {
        String name = path.substring(1);
        Tomcat.addServlet(context, name, new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                try {
                    handler.handle(request, response);
                } catch (SQLException e) {
                    throw new IOException(e);
                }
            }
        });
        context.addServletMappingDecoded(path, name);
    }

    private static HttpRequest get(URI base, String path) {
        return HttpRequest.newBuilder(base.resolve(path)).GET().build();
    }

    private static void createAccounts(HikariDataSource pool) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE account(id INT PRIMARY KEY, balance BIGINT)");
            for (int i = 0; i < ACCOUNTS; i++) s.execute("INSERT INTO account VALUES(" + i + ", 1000)");
        }
    }

    /**
     * Moves -10 to 10 between two accounts in one transaction, the lower account's row first (as a service orders
     * its row locks, so that the database never has to break a deadlock).
     */
    private static void transfer(HikariDataSource pool) throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int first = random.nextInt(ACCOUNTS - 1);
        int second = first + 1 + random.nextInt(ACCOUNTS - 1 - first);
        long amount = random.nextInt(21) - 10;
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement update = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?")) {
                update.setLong(1, -amount);
                update.setInt(2, first);
                update.executeUpdate();
                update.setLong(1, amount);
                update.setInt(2, second);
                update.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static long total(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT SUM(balance) FROM account")) {
            r.next();
            return r.getLong(1);
        }
    }
}
