package io.lockwatch.it;

import static io.lockwatch.it.harness.Report.mentions;
import static io.lockwatch.it.harness.Report.threadNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildJvm.Running;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.TomcatService;
import io.lockwatch.it.programs.TomcatWebapp;
import io.lockwatch.it.programs.WebappInversion;
import org.junit.jupiter.api.Test;

/**
 * lockwatch on the commonest shape of a JVM service: an embedded Tomcat serving requests on its worker pool, each
 * a database transaction through a HikariCP connection pool (Tomcat 11.0.29, HikariCP 7.1.0, H2). Both libraries
 * lock and park a great deal internally, and all of it is instrumented with the application.
 */
class WebServiceTest {
    private static final String THRESHOLD = "stall-threshold=2s";

    private static ChildJvm service(String... args) {
        return ChildJvm.run(TomcatService.class).library("tomcat-embed-core-").library("tomcat-annotations-api-")
                .library("HikariCP-").library("slf4j-api-").library("h2-").args(args);
    }

    /** 1,200 requests from 8 clients: served as without lockwatch, the money kept, and nothing reported. */
    @Test
    void aServiceUnderLoadRunsAsWithoutLockwatch() {
        ChildResult run = service("serve").exec().assertCleanExit();
        assertEquals("served 1200\ntotal=16000\n", run.stdout, run.toString());
        Report report = run.report().assertNoHangFindings();
        assertEquals(0, report.potentialDeadlocks().size(), report.potentialDeadlocks().toPrettyString());
        assertEquals(0, report.stat("internalErrors"), run.stderr);
        assertEquals(0, report.stat("instrumentationErrors"), run.stderr);
        // Tomcat's, HikariCP's and H2's classes with lock sites beside the JDK's (about 400 on JDK 17), their locks
        // tracked: thousands of locks and edges, and no cycle among them. Counted as seen over the run: most of these
        // locks are per-request objects, and how many of them (and of their edges) are still alive when the report is
        // written depends on when the collector last ran (a CI run on JDK 25 ended with 739 live edges of 51,739 seen).
        assertTrue(report.stat("classesInstrumented") >= 300, report.json.get("stats").toString());
        assertTrue(report.stat("locksSeen") >= 1000 && report.stat("edgesSeen") >= 1000, report.json.get("stats").toString());
    }

    /**
     * The pool deadlock: a request holds the pool's last connection and waits for a monitor that another request
     * holds while it waits for a connection. The JVM sees no cycle (the pool names no owner); lockwatch reports
     * the request waiting on the pool while holding the monitor, as a stall, with the request blocked behind it.
     */
    @Test
    void aRequestWaitingForTheLastPooledConnectionWhileHoldingAMonitorIsAStall() {
        Running run = service("pool-deadlock").agentOptions(THRESHOLD).start();
        run.awaitStdoutLine("waiting", 30);
        run.awaitStderr("[lockwatch] HAZARD #1 stall", 30);
        ChildResult result = run.terminate(30);
        assertFalse(result.stderr.contains("[lockwatch] ERROR"), result.stderr);
        // The headline names where the wait was asked for: in the pool, below the JDK's queue it parks on.
        assertTrue(result.stderr.matches("(?s).*\\[lockwatch\\] HAZARD #1 stall: thread \"http-nio-[^\"]+\" has waited [^\n]* on "
                + "[^\n]* in com\\.zaxxer\\.hikari\\.util\\.ConcurrentBag\\.borrow\\(ConcurrentBag\\.java:\\d+\\) while holding .*"),
                result.stderr);
        Report report = result.report();
        assertEquals(0, report.stat("internalErrors"), result.stderr);
        JsonNode stall = report.singleHazard("stall");
        String json = stall.toPrettyString();
        assertEquals(2, threadNames(stall).size(), json);
        JsonNode waiter = stall.get("waiter");
        assertTrue(waiter.get("name").asText().startsWith("http-nio-"), json);
        assertTrue(hasFrame(waiter.get("stack"), "com.zaxxer.hikari.HikariDataSource.getConnection("), json);
        assertTrue(mentions(waiter.get("stack"), TomcatService.class), json);
        assertEquals("java.lang.Object", stall.get("heldLocks").get(0).get("class").asText(), json); // REPORT_CACHE
        JsonNode blocked = stall.get("blocked").get(0);
        assertTrue(blocked.get("name").asText().startsWith("http-nio-"), json);
        assertEquals(waiter.get("name").asText(), blocked.get("owner").get("name").asText(), json);
        assertTrue(mentions(blocked.get("stack"), TomcatService.class), json);
    }

    /**
     * A web application deployed as a standalone Tomcat deploys one (its classes in WEB-INF/classes, loaded by the
     * application's own class loader), with the options Tomcat's start script gives the JVM so that its checks for
     * leaks at undeploy run in full. Its classes are instrumented like any other (the inversion between two of its
     * requests is found, on two of Tomcat's threads); and once it is undeployed, lockwatch keeps nothing that holds
     * on to its class loader (a thread, a thread-local, a lock of the application's, a class of it), which would keep
     * every class of the application in memory at each redeploy, and Tomcat warns of no leak.
     */
    @Test
    void aWebApplicationsLocksAreTrackedAndItsClassLoaderIsCollectedWhenUndeployed() {
        ChildResult run = ChildJvm.run(TomcatWebapp.class).library("tomcat-embed-core-").library("tomcat-annotations-api-")
                .jvmArgs(TOMCAT_OPENS).exec().assertCleanExit();
        String loader = "loader=org.apache.catalina.loader.ParallelWebappClassLoader\n";
        assertEquals("transfer: 200 " + loader + "audit: 200 " + loader + "webapp class loader collected: true\n",
                run.stdout, run.toString());
        assertFalse(run.stderr.contains("memory leak"), run.stderr);
        Report report = run.report();
        assertEquals(0, report.stat("internalErrors"), run.stderr);
        assertEquals(0, report.stat("instrumentationErrors"), run.stderr);
        Report.assertFinding(report.singlePotentialDeadlock(), WebappInversion.class, "java.lang.Object", "java.lang.Object");
    }

    /** What Tomcat's catalina.sh gives the JVM (JDK_JAVA_OPTIONS), so that its leak checks can look into the JDK. */
    private static final String[] TOMCAT_OPENS = {"--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED", "--add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED"};

    private static boolean hasFrame(JsonNode stack, String prefix) {
        for (JsonNode frame : stack) {
            if (frame.asText().startsWith(prefix)) return true;
        }
        return false;
    }
}
