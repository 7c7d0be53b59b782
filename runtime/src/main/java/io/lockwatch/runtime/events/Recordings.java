package io.lockwatch.runtime.events;

import io.lockwatch.runtime.util.RuntimeModules;
import jdk.jfr.FlightRecorder;

/**
 * Asked before any of our event classes is touched: could a JFR recording want an event now?
 *
 * <p>Two reasons not to create an event just to ask its {@code isEnabled()}. Loading the first event class
 * initializes JFR's Java side when nothing else has (about a hundred classes, its metadata, a generated
 * event handler: over 100 ms on a busy thread, and their JIT work), all for an answer that is "no" until
 * somebody starts a recording. And a runtime image without the {@code jdk.jfr} module (jlink, or
 * {@code --limit-modules}) cannot load an event class at all: the error must not reach the application.
 *
 * <p>Every recording, from {@code -XX:StartFlightRecording}, {@code jcmd JFR.start}, the JMX bean or a
 * {@code RecordingStream} (our metrics endpoint), initializes the recorder first, and an event class
 * loaded after that is registered with the settings of the recordings already running.
 */
public final class Recordings {
    /**
     * Whether this runtime has {@code jdk.jfr} at all. A constant, so that the check at every contended-lock
     * site is one load of the recorder's own flag; without the module, the JIT folds it to "no".
     */
    private static final boolean JFR_PRESENT = jfrPresent();

    private Recordings() {}

    private static boolean jfrPresent() {
        return RuntimeModules.missing("jdk.jfr").isEmpty();
    }

    public static boolean mayRecord() {
        if (!JFR_PRESENT) return false;
        try {
            return FlightRecorder.isInitialized();
        } catch (LinkageError e) { // the module is there but its classes cannot be loaded: treated as absent
            return false;
        }
    }
}
