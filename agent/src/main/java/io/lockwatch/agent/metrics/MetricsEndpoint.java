package io.lockwatch.agent.metrics;

import io.lockwatch.runtime.track.LockTracker;
import io.lockwatch.runtime.util.InternalErrors;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The {@code /metrics} endpoint: a minimal HTTP/1.1 server on one daemon thread of ours.
 *
 * <p>Why not {@code com.sun.net.httpserver}: lockwatch runs from the bootstrap class path, and that
 * module ({@code jdk.httpserver}) belongs to the platform class loader, which bootstrap classes cannot
 * see. A scrape is one short GET, answered and closed, so a plain socket loop is all it needs. Requests
 * are served one at a time with a read timeout, so a slow client can delay scrapes but never pile up
 * threads or memory.
 */
final class MetricsEndpoint {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final int READ_TIMEOUT_MILLIS = 5_000;
    private static final int MAX_HEADER_LINES = 100;

    private final ServerSocket socket;
    /** The client being answered, if any: closed with the endpoint. */
    private volatile Socket current;

    MetricsEndpoint(ServerSocket socket) {
        this.socket = socket;
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    /** Where scrapes go: {@code http://HOST:PORT/metrics}, an IPv6 address in brackets. */
    String url() {
        String host = socket.getInetAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + socket.getLocalPort() + "/metrics";
    }

    /** Serves scrapes on the calling thread until {@link #close}. */
    void serve(Supplier<String> scrape) {
        LockTracker.ignoreCurrentThread();
        while (!socket.isClosed()) {
            try (Socket client = socket.accept()) {
                current = client;
                if (socket.isClosed()) return; // closed while accepting: the client is closed on the way out
                client.setSoTimeout(READ_TIMEOUT_MILLIS);
                answer(client, scrape);
            } catch (IOException e) {
                // A client that went away or timed out, or the endpoint closed: serve the next one, if any.
            } catch (Throwable t) {
                InternalErrors.record("metrics endpoint", t);
            } finally {
                current = null;
            }
        }
    }

    /**
     * At shutdown. A thread blocked in {@code accept()} or in a client's read is in native code, and HotSpot's
     * exit waits up to 300 ms for such threads to come back (VM_Exit) before it gives up on them: every JVM
     * with the endpoint exited that much later. Closing the sockets returns the thread to Java at once.
     */
    void close() {
        closeQuietly(socket);
        Socket client = current;
        if (client != null) closeQuietly(client);
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException | RuntimeException e) {
            // closing is best effort: the JVM is exiting
        }
    }

    private void answer(Socket client, Supplier<String> scrape) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
        String requestLine = in.readLine();
        if (requestLine == null) return;
        for (int i = 0; i < MAX_HEADER_LINES; i++) { // read the headers; we need none of them
            String header = in.readLine();
            if (header == null || header.isEmpty()) break;
        }
        String[] parts = requestLine.split(" ");
        String method = parts.length > 0 ? parts[0] : "";
        String path = parts.length > 1 ? parts[1] : "";
        int query = path.indexOf('?');
        if (query >= 0) path = path.substring(0, query);
        OutputStream out = client.getOutputStream();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            respond(out, "405 Method Not Allowed", "text/plain; charset=utf-8", "only GET /metrics\n", true);
        } else if (path.equals("/metrics")) {
            respond(out, "200 OK", CONTENT_TYPE, scrape.get(), method.equals("GET"));
        } else {
            respond(out, "404 Not Found", "text/plain; charset=utf-8", "lockwatch serves /metrics\n", method.equals("GET"));
        }
    }

    private static void respond(OutputStream out, String status, String type, String body, boolean withBody)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " + bytes.length
                + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (withBody) out.write(bytes);
        out.flush();
    }
}
