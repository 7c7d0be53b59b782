package io.lockwatch.it.harness;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** An HTTP endpoint in the test JVM that records what Alertmanager's webhook notifier POSTs to it. */
public final class WebhookReceiver implements AutoCloseable {
    private final HttpServer server;
    private final List<JsonNode> received = new ArrayList<>();

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    public static WebhookReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            WebhookReceiver receiver = new WebhookReceiver(server);
            server.createContext("/alerts", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                try {
                    receiver.add(Http.parse(body));
                    exchange.sendResponseHeaders(200, -1);
                } catch (IOException e) {
                    exchange.sendResponseHeaders(400, -1);
                } finally {
                    exchange.close();
                }
            });
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the webhook receiver", e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/alerts";
    }

    private synchronized void add(JsonNode notification) {
        received.add(notification);
        notifyAll();
    }

    /** Waits (bounded) for a notification that matches; fails listing what did arrive. */
    public synchronized JsonNode await(Predicate<JsonNode> matches, long timeoutSeconds, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        int seen = 0;
        while (true) {
            for (; seen < received.size(); seen++) {
                if (matches.test(received.get(seen))) return received.get(seen);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        fail("no webhook notification with " + what + " within " + timeoutSeconds + "s; received: " + received);
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
