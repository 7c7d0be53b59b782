package io.lockwatch.runtime.report;

/** Something lockwatch found and reports: in the JSON report, on stderr and (later) as a JFR event. */
public interface Finding {
    /** Writes this finding as one JSON object. */
    void writeJson(JsonWriter json);

    /** A short human-readable block for stderr. */
    String summary();
}
