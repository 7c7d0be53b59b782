package io.lockwatch.runtime.util;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * This machine's host name, as the kernel knows it: in a container, the container's own (a Kubernetes pod's
 * name). Read from {@code /proc/sys/kernel/hostname} on Linux, else from the usual environment variables;
 * never through {@code InetAddress}, which may ask DNS and wait seconds for an answer.
 */
public final class HostName {
    public static final String UNKNOWN = "unknown";
    private static volatile String cached;

    private HostName() {}

    /** @return the host name, or {@link #UNKNOWN} when none can be read */
    public static String get() {
        String name = cached;
        if (name == null) {
            name = read();
            cached = name;
        }
        return name;
    }

    private static String read() {
        try (FileInputStream in = new FileInputStream("/proc/sys/kernel/hostname")) {
            String name = new String(in.readNBytes(256), StandardCharsets.UTF_8).trim();
            if (!name.isEmpty()) return name;
        } catch (IOException | RuntimeException e) {
            // Not Linux, or no /proc: the environment may say.
        }
        try {
            for (String variable : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
                String name = System.getenv(variable);
                if (name != null && !name.isBlank()) return name.trim();
            }
        } catch (RuntimeException e) {
            // A security manager that denies the environment: no name.
        }
        return UNKNOWN;
    }

    /** The host name as a file name's part: anything but letters, digits, '.', '-' and '_' becomes '_'. */
    public static String forFileName() {
        return get().replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
