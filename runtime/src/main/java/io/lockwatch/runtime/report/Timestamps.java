package io.lockwatch.runtime.report;

/**
 * ISO-8601 instants in UTC with milliseconds ({@code 2026-12-01T19:03:15.123Z}), as the report writes
 * them. Written out here because {@code Instant.toString()} initialises {@code java.time}'s formatters
 * (and, on newer JDKs, compiles a regular expression) the first time: tens of milliseconds on the exit
 * path of a short program, whose report is written as the JVM ends.
 */
public final class Timestamps {
    private static final long MILLIS_PER_DAY = 86_400_000L;

    private Timestamps() {}

    public static String iso(long epochMillis) {
        long days = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        long millisOfDay = Math.floorMod(epochMillis, MILLIS_PER_DAY);
        // Days since 1970-01-01 to a proleptic Gregorian date, counting in 400-year eras from 0000-03-01.
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthIndex = (5 * dayOfYear + 2) / 153; // 0 = March
        long day = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
        long month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

        StringBuilder out = new StringBuilder(24);
        pad(out, year, 4).append('-');
        pad(out, month, 2).append('-');
        pad(out, day, 2).append('T');
        pad(out, millisOfDay / 3_600_000, 2).append(':');
        pad(out, millisOfDay / 60_000 % 60, 2).append(':');
        pad(out, millisOfDay / 1_000 % 60, 2).append('.');
        pad(out, millisOfDay % 1_000, 3).append('Z');
        return out.toString();
    }

    private static StringBuilder pad(StringBuilder out, long value, int digits) {
        String text = Long.toString(value);
        for (int i = text.length(); i < digits; i++) out.append('0');
        return out.append(text);
    }
}
