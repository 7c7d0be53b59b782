package io.lockwatch.runtime.report;

import java.util.Collections;
import java.util.List;

/** Something lockwatch found and reports: in the JSON report, on stderr and as a JFR event. */
public interface Finding {
    /** Writes this finding as one JSON object. */
    void writeJson(JsonWriter json);

    /** A short human-readable block for stderr. */
    String summary();

    /** The finding's {@code kind} in the report. */
    default String kind() {
        return "finding";
    }

    /** Names of the threads involved. */
    default List<String> threadNames() {
        return Collections.emptyList();
    }

    /** The locks involved, as {@code class@identityHash}. */
    default List<String> lockNames() {
        return Collections.emptyList();
    }
}
