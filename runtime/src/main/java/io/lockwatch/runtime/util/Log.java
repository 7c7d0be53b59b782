package io.lockwatch.runtime.util;

import java.io.PrintStream;

/**
 * The agent's only voice: one line per message on stderr, prefixed {@code [lockwatch]}.
 * Never stdout, which belongs to the application.
 */
public final class Log {
    private static final String PREFIX = "[lockwatch] ";
    /** The levels, as they start a message; an info line has none. */
    static final String ERROR = "ERROR ", WARNING = "WARNING ";

    private Log() {}

    public static void info(String message) {
        print(message);
    }

    public static void error(String message) {
        print(ERROR + message);
    }

    public static void warn(String message) {
        print(WARNING + message);
    }

    /** Several lines as one write, so that other threads' output does not interleave with a block. */
    public static void block(String text) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty()) out.append(PREFIX).append(line).append('\n');
        }
        write(out.toString());
    }

    private static void print(String message) {
        write(PREFIX + message + "\n");
    }

    private static void write(String text) {
        try {
            // System.err is looked up at each call: the application may have replaced it.
            PrintStream err = System.err;
            err.print(text);
            err.flush();
        } catch (Throwable ignored) {
            // Nowhere left to report to.
        }
    }
}
