package io.lockwatch.runtime.util;

/** Parses and prints durations in the form users write them: {@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h}. */
public final class Durations {
    private Durations() {}

    /** @return the duration in milliseconds, or -1 when the text is not a duration. */
    public static long parseMillis(String text) {
        String t = text.trim().toLowerCase();
        long unit;
        String number;
        if (t.endsWith("ms")) {
            unit = 1;
            number = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            unit = 1000;
            number = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            unit = 60_000;
            number = t.substring(0, t.length() - 1);
        } else if (t.endsWith("h")) {
            unit = 3_600_000;
            number = t.substring(0, t.length() - 1);
        } else {
            return -1;
        }
        if (number.isEmpty() || number.length() > 12) return -1;
        for (int i = 0; i < number.length(); i++) {
            if (!Character.isDigit(number.charAt(i))) return -1;
        }
        return Long.parseLong(number) * unit;
    }

    public static String format(long millis) {
        if (millis % 3_600_000 == 0 && millis > 0) return millis / 3_600_000 + "h";
        if (millis % 60_000 == 0 && millis > 0) return millis / 60_000 + "m";
        if (millis % 1000 == 0 && millis > 0) return millis / 1000 + "s";
        return millis + "ms";
    }
}
