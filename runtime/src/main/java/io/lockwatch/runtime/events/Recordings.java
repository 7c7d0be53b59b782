package io.lockwatch.runtime.events;

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
    /** Set once this runtime turned out to have no {@code jdk.jfr}; a plain field: a stale read only asks again. */
    private static boolean unavailable;

    private Recordings() {}

    public static boolean mayRecord() {
        if (unavailable) return false;
        try {
            return FlightRecorder.isInitialized();
        } catch (LinkageError e) {
            unavailable = true;
            return false;
        }
    }
}
