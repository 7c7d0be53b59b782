package io.lockwatch.agent.metrics;

import io.lockwatch.runtime.config.Options;
import io.lockwatch.runtime.track.Contention;
import io.lockwatch.runtime.track.LockTracker;
import io.lockwatch.runtime.util.InternalErrors;
import io.lockwatch.runtime.util.Log;
import io.lockwatch.runtime.util.RuntimeModules;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/**
 * Starts the metrics side of lockwatch when {@code port=} is given: binds the endpoint at once (so a port
 * in use is reported during start-up), then, on a daemon thread of ours and {@link #START_DELAY_MILLIS}
 * later, builds the registry with every meter at zero, opens the JFR stream that feeds the wait metrics and
 * starts serving.
 */
public final class MetricsAgent {
    private static final long POLL_PERIOD_MILLIS = DeadlockedThreads.PERIOD_MILLIS;
    /**
     * How long the endpoint's start waits after {@code premain}. The registry, Micrometer's classes and JFR's
     * start take a few hundred milliseconds of CPU, and a JVM's first second (class loading, the JIT) is its
     * busiest: on 2 cores they made a hello world 50-100 ms slower. A JVM that lives shorter pays only the
     * bound socket; a scrape that comes meanwhile waits in the socket's backlog.
     */
    static final long START_DELAY_MILLIS = 1_000;

    /** Micrometer and the Prometheus client log through java.logging; the thread meters and the JFR stream. */
    private static final String[] NEEDED_MODULES = {"java.logging", "java.management", "jdk.jfr"};

    private MetricsAgent() {}

    public static void start(Options options) {
        if (options.port() < 0) return;
        List<String> missing = RuntimeModules.missing(NEEDED_MODULES);
        if (!missing.isEmpty()) {
            Log.error("cannot serve metrics: this Java runtime has no module " + String.join(", ", missing)
                    + " (a jlink image, or --limit-modules, without it), which the endpoint needs. "
                    + RuntimeModules.fix(missing) + "; the application runs without the metrics endpoint");
            return;
        }
        ServerSocket socket;
        try {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(options.host()), options.port()), 16);
        } catch (BindException e) {
            Log.error("cannot serve metrics on " + options.host() + ":" + options.port() + " (" + e.getMessage()
                    + "): the port is in use or the address is not local; choose a free port with port=N "
                    + "(port=0 picks one) or another address with host=; the application runs without the metrics endpoint");
            return;
        } catch (IOException | RuntimeException e) {
            Log.error("cannot serve metrics on " + options.host() + ":" + options.port() + " (" + e
                    + "); check host= and port=; the application runs without the metrics endpoint");
            return;
        }
        MetricsEndpoint endpoint = new MetricsEndpoint(socket);
        // A thread of ours, like every one the agent starts: the socket locks it takes are not the application's.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LockTracker.ignoreCurrentThread();
            endpoint.close();
        }, "lockwatch-metrics-close"));
        Thread starter = new Thread(() -> run(options, endpoint), "lockwatch-metrics");
        starter.setDaemon(true);
        // The Prometheus client reads "prometheus.properties" through the context class loader: ours finds
        // only what the bootstrap path has (nothing), so the application's own client configuration never
        // reaches our copy, and no library meets a null loader. The threads started from here inherit it.
        starter.setContextClassLoader(new ClassLoader(null) {});
        starter.start();
    }

    private static void run(Options options, MetricsEndpoint endpoint) {
        LockTracker.ignoreCurrentThread();
        try {
            Thread.sleep(START_DELAY_MILLIS);
        } catch (InterruptedException e) {
            return; // nobody interrupts our thread but a JVM going away
        }
        if (endpoint.isClosed()) return; // the JVM is exiting: nothing to start
        try {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ContentionMetrics contention = new ContentionMetrics(options.maxSites(), options.maxSeries());
            ContentionStream stream = new ContentionStream(contention, options.contentionThresholdMillis());
            DeadlockedThreads deadlocked = new DeadlockedThreads();
            contention.bindTo(registry);
            new ThreadMetrics().bindTo(registry);
            deadlocked.bindTo(registry);
            new FindingMetrics().bindTo(registry);
            new AgentHealthMetrics(stream.dropped).bindTo(registry);
            contention.budget(countSeries(registry.scrape()));
            deadlocked.refresh();

            stream.open();
            // The recorder runs now: our events' probes are made here, not by the first contended lock() of
            // the application's, whose waits would go untimed while they are made.
            Contention.prepareProbes();
            daemon("lockwatch-metrics-http", () -> endpoint.serve(registry::scrape)).start();
            daemon("lockwatch-metrics-poll", () -> poll(deadlocked)).start();
            // Said once the stream runs: from this line on, every contended wait is counted.
            String url = endpoint.url();
            stream.run(() -> Log.info("metrics at " + url)); // consumes JFR events on this thread until the JVM exits
        } catch (Throwable t) {
            InternalErrors.countSaidElsewhere();
            Log.error("the metrics endpoint could not start (" + t + "); the application runs on without it");
            endpoint.close();
        }
    }

    private static void poll(DeadlockedThreads deadlocked) {
        LockTracker.ignoreCurrentThread();
        while (true) {
            try {
                Thread.sleep(POLL_PERIOD_MILLIS);
                deadlocked.refresh();
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                InternalErrors.record("deadlocked threads poll", t);
            }
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    /** Series in a scrape: every line that is not a comment. */
    static int countSeries(String scrape) {
        int n = 0;
        for (String line : scrape.split("\n")) {
            if (!line.isEmpty() && line.charAt(0) != '#') n++;
        }
        return n;
    }
}
