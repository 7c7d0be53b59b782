package io.lockwatch.runtime.track;

import io.lockwatch.runtime.util.InternalErrors;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What instrumented code calls instead of {@code Thread.join} and {@code Thread.start}: each call site is
 * rewritten to the method of the same name here, with the site's number. Each method notices the mistake
 * it is named for, tells the hang detector, and then does exactly what the original call does: a thread
 * that joins itself still waits forever, and a second {@code start()} still throws the same
 * {@link IllegalThreadStateException} (with this class's frame taken out of its stack trace, so the
 * caller sees what it would see without lockwatch).
 *
 * <p>Runs on application threads: no lambdas, no lock of ours held while the application's code runs,
 * never a failure of ours thrown into the caller. The report itself is written by the detector thread.
 */
public final class ThreadCalls {
    /** Receives what was noticed; the hang detector, which hands it to its own thread. */
    public interface Listener {
        /** A thread joins itself. */
        void selfJoin(String threadName, long threadId, String call, StackTraceElement site, StackTraceElement[] stack);

        /** A thread that is not new is started (again). */
        void doubleStart(String threadName, long threadId, String state, String callerName, long callerId,
                         StackTraceElement site, StackTraceElement[] stack);
    }

    /** Distinct (mistake, site, thread) triples remembered, so a loop repeating one mistake reports it once. */
    private static final int MAX_REMEMBERED = 1024;
    private static final ConcurrentHashMap<String, Boolean> REPORTED = new ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicLong DROPPED = new java.util.concurrent.atomic.AtomicLong();
    private static final String OWN_CLASS = ThreadCalls.class.getName();

    private static volatile Listener listener;

    private ThreadCalls() {}

    public static void start(Listener hangDetector) {
        listener = hangDetector;
    }

    /** Mistakes not reported because {@link #MAX_REMEMBERED} distinct ones were already. */
    public static long dropped() {
        return DROPPED.get();
    }

    // ---- Thread.join: all three overloads ----

    public static void join(Thread thread, int site) throws InterruptedException {
        if (thread == Thread.currentThread()) selfJoin(thread, "join()", site);
        try {
            thread.join();
        } catch (InterruptedException | RuntimeException e) {
            unchanged(e);
            throw e;
        }
    }

    public static void join(Thread thread, long millis, int site) throws InterruptedException {
        if (thread == Thread.currentThread()) selfJoin(thread, "join(" + millis + ")", site);
        try {
            thread.join(millis);
        } catch (InterruptedException | RuntimeException e) {
            unchanged(e);
            throw e;
        }
    }

    public static void join(Thread thread, long millis, int nanos, int site) throws InterruptedException {
        if (thread == Thread.currentThread()) selfJoin(thread, "join(" + millis + ", " + nanos + ")", site);
        try {
            thread.join(millis, nanos);
        } catch (InterruptedException | RuntimeException e) {
            unchanged(e);
            throw e;
        }
    }

    // ---- Thread.start ----

    public static void start(Thread thread, int site) {
        Thread.State before = thread != null ? thread.getState() : null;
        try {
            thread.start();
        } catch (IllegalThreadStateException e) {
            // Started before (or, racing, by another thread just now): not a subclass's own refusal.
            if (before != Thread.State.NEW || thread.getState() != Thread.State.NEW) doubleStart(thread, site);
            unchanged(e);
            throw e;
        } catch (RuntimeException e) {
            unchanged(e);
            throw e;
        }
    }

    private static void selfJoin(Thread thread, String call, int site) {
        try {
            Listener l = listener;
            ThreadState state = LockTracker.currentState();
            if (l == null || state == null) return;
            String name = thread.getName();
            if (!firstTime("self_join", site, name)) return;
            state.busy = true;
            try {
                l.selfJoin(name, thread.getId(), call, CallSites.site(site), StackCapture.current(LockTracker.stackDepth()));
            } finally {
                state.busy = false;
            }
        } catch (Throwable e) {
            InternalErrors.record("self-join check", e);
        }
    }

    private static void doubleStart(Thread thread, int site) {
        try {
            Listener l = listener;
            ThreadState state = LockTracker.currentState();
            if (l == null || state == null) return;
            String name = thread.getName();
            if (!firstTime("double_start", site, name)) return;
            state.busy = true;
            try {
                Thread caller = Thread.currentThread();
                l.doubleStart(name, thread.getId(), thread.getState().name(), caller.getName(), caller.getId(),
                        CallSites.site(site), StackCapture.current(LockTracker.stackDepth()));
            } finally {
                state.busy = false;
            }
        } catch (Throwable e) {
            InternalErrors.record("double-start check", e);
        }
    }

    private static boolean firstTime(String kind, int site, String threadName) {
        String key = kind + '|' + site + '|' + threadName;
        if (REPORTED.containsKey(key)) return false;
        if (REPORTED.size() >= MAX_REMEMBERED) {
            DROPPED.incrementAndGet();
            return false;
        }
        return REPORTED.putIfAbsent(key, Boolean.TRUE) == null;
    }

    /** The exception as the original call would have thrown it: without this class's frames. */
    private static void unchanged(Throwable e) {
        try {
            StackTraceElement[] trace = e.getStackTrace();
            int own = 0;
            for (StackTraceElement frame : trace) {
                if (OWN_CLASS.equals(frame.getClassName())) own++;
            }
            if (own > 0) {
                StackTraceElement[] kept = new StackTraceElement[trace.length - own];
                int k = 0;
                for (StackTraceElement frame : trace) {
                    if (!OWN_CLASS.equals(frame.getClassName())) kept[k++] = frame;
                }
                e.setStackTrace(kept);
            }
        } catch (Throwable ignored) {
            // the exception is still the right one
        }
    }
}
