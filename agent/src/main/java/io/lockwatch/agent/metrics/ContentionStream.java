package io.lockwatch.agent.metrics;

import io.lockwatch.runtime.events.ContendedLockEvent;
import io.lockwatch.runtime.events.WaitEvent;
import io.lockwatch.runtime.track.LockTracker;
import io.lockwatch.runtime.util.InternalErrors;
import io.lockwatch.runtime.util.Log;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * The in-process JFR stream that feeds the wait metrics. It enables our own events (waits timed by the
 * instrumentation, exact and without stacks) and the JDK's: {@code jdk.JavaMonitorEnter} and
 * {@code jdk.JavaMonitorWait} (the JVM times {@code synchronized} and {@code Object.wait} for free) and
 * {@code jdk.ThreadPark} for waits in code we did not instrument. All at the contention threshold, so a
 * wait shorter than it costs the waiting thread nothing here.
 */
final class ContentionStream {
    static final String MONITOR_ENTER = "jdk.JavaMonitorEnter";
    static final String MONITOR_WAIT = "jdk.JavaMonitorWait";
    static final String THREAD_PARK = "jdk.ThreadPark";

    private final ContentionMetrics metrics;
    private final Duration threshold;
    /** Events we received but could not turn into a sample (failures while reading one). */
    final AtomicLong dropped = new AtomicLong();
    private volatile RecordingStream stream;

    ContentionStream(ContentionMetrics metrics, long thresholdMillis) {
        this.metrics = metrics;
        this.threshold = Duration.ofMillis(thresholdMillis);
    }

    /** Sets the stream up; {@link #start} starts it. */
    void open() {
        RecordingStream rs = new RecordingStream();
        rs.setReuse(true);
        rs.setOrdered(false); // metrics need no global order, and unordered is cheaper
        rs.setMaxAge(Duration.ofSeconds(30)); // bounded disk use for the stream's chunks
        rs.enable(MONITOR_ENTER).withThreshold(threshold).withStackTrace();
        rs.enable(MONITOR_WAIT).withThreshold(threshold).withStackTrace();
        rs.enable(THREAD_PARK).withThreshold(threshold).withStackTrace();
        rs.enable(ContendedLockEvent.NAME).withThreshold(threshold).withoutStackTrace();
        rs.enable(WaitEvent.NAME).withThreshold(threshold).withoutStackTrace();
        rs.onEvent(MONITOR_ENTER, e -> safely(e, this::onMonitorEnter));
        rs.onEvent(MONITOR_WAIT, e -> safely(e, this::onMonitorWait));
        rs.onEvent(THREAD_PARK, e -> safely(e, this::onPark));
        rs.onEvent(ContendedLockEvent.NAME, e -> safely(e, this::onOwnEvent));
        rs.onEvent(WaitEvent.NAME, e -> safely(e, this::onOwnEvent));
        stream = rs;
    }

    /**
     * Records and dispatches events on the calling thread, one of our daemon threads, until the JVM exits.
     * (Not {@code startAsync}: its dispatch thread is not a daemon and would keep the JVM alive.)
     *
     * @param live runs once, at the stream's first flush: from then on every wait is counted
     */
    void run(Runnable live) {
        LockTracker.ignoreCurrentThread();
        AtomicBoolean announced = new AtomicBoolean();
        stream.onFlush(() -> {
            if (announced.compareAndSet(false, true)) live.run();
        });
        try {
            stream.start();
        } catch (Throwable t) {
            InternalErrors.countSaidElsewhere();
            Log.error("the JFR event stream did not start (" + t + "); the endpoint serves every meter but "
                    + "lockwatch_contended_waits_total and lockwatch_wait_seconds stay at zero");
            if (announced.compareAndSet(false, true)) live.run();
        }
    }

    private interface Handler {
        void handle(RecordedEvent event);
    }

    private void safely(RecordedEvent event, Handler handler) {
        try {
            if (event.getDuration().compareTo(threshold) < 0) return; // another recording asked for less
            if (isOurThread(event.getThread())) return;
            handler.handle(event);
        } catch (Throwable t) {
            dropped.incrementAndGet();
            InternalErrors.record("metrics event " + event.getEventType().getName(), t);
        }
    }

    private static boolean isOurThread(RecordedThread thread) {
        if (thread == null) return true; // not an application thread
        String name = thread.getJavaName();
        return name != null && (name.startsWith("lockwatch-") || name.startsWith("JFR "));
    }

    private void onMonitorEnter(RecordedEvent e) {
        record(e, WaitClassifier.monitorEnter(className(e, "monitorClass"), frames(e)));
    }

    private void onMonitorWait(RecordedEvent e) {
        record(e, WaitClassifier.monitorWait(className(e, "monitorClass"), frames(e)));
    }

    private void onPark(RecordedEvent e) {
        record(e, WaitClassifier.park(frames(e)));
    }

    private void onOwnEvent(RecordedEvent e) {
        WaitKind kind = WaitKind.byTag(e.getString("kind"));
        if (kind == null) return;
        metrics.record(kind, className(e, "lockClass"), e.getString("site"), e.getDuration().toNanos());
    }

    private void record(RecordedEvent e, WaitClassifier.Wait wait) {
        if (wait != null) metrics.record(wait.kind(), wait.lockClass(), wait.site(), e.getDuration().toNanos());
    }

    private static String className(RecordedEvent e, String field) {
        RecordedClass c = e.getClass(field);
        return c == null ? null : c.getName();
    }

    private static List<WaitClassifier.Frame> frames(RecordedEvent e) {
        RecordedStackTrace stack = e.getStackTrace();
        if (stack == null) return Collections.emptyList();
        List<WaitClassifier.Frame> out = new ArrayList<>();
        for (RecordedFrame f : stack.getFrames()) {
            if (!f.isJavaFrame() || f.getMethod() == null) continue;
            out.add(new WaitClassifier.Frame(f.getMethod().getType().getName(), f.getMethod().getName(),
                    f.getLineNumber()));
        }
        return out;
    }
}
