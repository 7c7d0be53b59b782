package io.lockwatch.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real Alertmanager (Debian package {@code prometheus-alertmanager}) on free loopback ports, clustering
 * off, with a fresh data folder; it sends every alert group to one webhook at once.
 */
public final class AlertmanagerServer implements AutoCloseable {
    private final ServerProcess process;
    private final String address;

    private AlertmanagerServer(ServerProcess process, String address) {
        this.process = process;
        this.address = address;
    }

    public static AlertmanagerServer start(Path dir, String webhookUrl) {
        int port = ServerProcess.freePort();
        String config = "route:\n"
                + "  receiver: webhook\n"
                + "  group_by: ['alertname', 'instance']\n"
                + "  group_wait: 1s\n"
                + "  group_interval: 1s\n"
                + "  repeat_interval: 1h\n"
                // The inhibition the README recommends: a deadlock makes the stalled-threads alert redundant.
                + "inhibit_rules:\n"
                + "  - source_matchers: ['alertname=\"LockwatchDeadlock\"']\n"
                + "    target_matchers: ['alertname=\"LockwatchThreadsStalled\"']\n"
                + "    equal: ['job', 'instance']\n"
                + "receivers:\n"
                + "  - name: webhook\n"
                + "    webhook_configs:\n"
                + "      - url: '" + webhookUrl + "'\n"
                + "        send_resolved: true\n";
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("alertmanager.yml"), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String executable = io.lockwatch.dashboards.Promtool.onPath("prometheus-alertmanager", "prometheus-alertmanager");
        ServerProcess p = ServerProcess.start("alertmanager", dir, executable,
                "--config.file=" + dir.resolve("alertmanager.yml"),
                "--storage.path=" + dir.resolve("am-data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=");
        String address = "127.0.0.1:" + port;
        try {
            p.awaitReady("http://" + address + "/-/ready", 60);
        } catch (RuntimeException | AssertionError e) {
            p.close();
            throw e;
        }
        return new AlertmanagerServer(p, address);
    }

    /** host:port, as Prometheus's alerting config wants it. */
    public String address() {
        return address;
    }

    public String log() {
        return process.log();
    }

    @Override
    public void close() {
        process.close();
    }
}
