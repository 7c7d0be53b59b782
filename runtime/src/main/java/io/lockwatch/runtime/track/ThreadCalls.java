package io.lockwatch.runtime.track;

import io.lockwatch.runtime.util.InternalErrors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks that {@code java.lang.Thread} itself calls on entry of {@code start} and of every {@code join}
 * overload, and {@code FutureTask} on entry of {@code get} (the agent hooks those methods, so every caller is
 * covered: application code, subclasses, thread pools, executors' futures); and the count of a virtual thread's
 * parks and unmounts, on entry of {@code VirtualThread.park}, {@code parkNanos} and {@code afterYield}
 * ({@link #parking}). The checks of starts and joins notice the mistake each is named for and tell the hang detector;
 * the method then goes on exactly as it would: a thread that joins itself still waits forever, and a second
 * {@code start()} still throws its own {@link IllegalThreadStateException}, with no frame of ours in its stack trace.
 * A thread that joins a virtual thread, and a virtual thread that calls {@code get()}, are watched by the hang
 * detector from then on.
 *
 * <p>Runs on every thread start, join and {@code FutureTask.get} in the JVM, so the common case is one
 * comparison. Only a mistake walks the stack (to name the calling line); no lambdas, no lock of ours, never a
 * failure of ours thrown into the caller. The report itself is written by the detector thread.
 */
public final class ThreadCalls {
    /** Receives what was noticed; the hang detector, which hands it to its own thread. */
    public interface Listener {
        /** A thread joins itself. */
        void selfJoin(String threadName, long threadId, String call, StackTraceElement site, StackTraceElement[] stack);

        /** A thread that is not new is started (again). */
        void doubleStart(String threadName, long threadId, String state, String callerName, long callerId,
                         StackTraceElement site, StackTraceElement[] stack);

        /**
         * A thread asks for a lock that is not reentrant ({@code StampedLock}) while it holds it in a mode that
         * the request must wait for, or for a read/write lock's write lock while it holds its read lock: it waits
         * for itself. {@code lock} is the StampedLock, or the read/write lock's {@code Sync}.
         */
        void selfDeadlock(String threadName, long threadId, Object lock, String held, String wanted,
                          StackTraceElement site, StackTraceElement[] stack);
    }

    /** Distinct (mistake, site, thread) triples remembered, so a loop repeating one mistake reports it once. */
    private static final int MAX_REMEMBERED = 1024;
    private static final ConcurrentHashMap<String, Boolean> REPORTED = new ConcurrentHashMap<>();
    private static final AtomicLong DROPPED = new AtomicLong();
    private static final String THREAD = "java.lang.Thread";
    private static final String VIRTUAL_THREAD = "java.lang.VirtualThread";

    private static final StackWalker JOIN_WALKER =
            StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private static volatile Listener listener;

    private ThreadCalls() {}

    public static void start(Listener hangDetector) {
        listener = hangDetector;
    }

    /** Mistakes not reported because {@link #MAX_REMEMBERED} distinct ones were already. */
    public static long dropped() {
        return DROPPED.get();
    }

    /** On entry of {@code Thread.start}: the thread about to be started. */
    public static void starting(Thread thread) {
        if (thread.getState() == Thread.State.NEW || listener == null) return;
        try {
            ThreadState state = LockTracker.currentState();
            if (state == null) return;
            state.busy = true;
            try {
                StackTraceElement[] stack = StackCapture.current(LockTracker.stackDepth(), state);
                StackTraceElement site = caller(stack);
                String name = thread.getName();
                if (!firstTime("double_start", site, name)) return;
                Thread current = Thread.currentThread();
                listener.doubleStart(name, thread.getId(), thread.getState().name(), current.getName(), current.getId(),
                        site, stack);
            } finally {
                state.busy = false;
            }
        } catch (Throwable e) {
            InternalErrors.record("double-start check", e);
        }
    }

    /** On entry of every {@code Thread.join} overload: the thread to be joined. */
    public static void joining(Thread thread) {
        Thread current = Thread.currentThread();
        if (thread != current) {
            if (ThreadRegistry.isVirtual(thread) || ThreadRegistry.isVirtual(current)) watchJoiner(thread);
            return;
        }
        if (listener == null) return;
        try {
            ThreadState state = LockTracker.currentState();
            if (state == null) return;
            state.busy = true;
            try {
                StackTraceElement[] stack = StackCapture.current(LockTracker.stackDepth(), state);
                StackTraceElement site = caller(stack);
                String name = thread.getName();
                if (!firstTime("self_join", site, name)) return;
                listener.selfJoin(name, thread.getId(), joinCall(), site, stack);
            } finally {
                state.busy = false;
            }
        } catch (Throwable e) {
            InternalErrors.record("self-join check", e);
        }
    }

    /**
     * The thread is about to join a virtual thread, or is a virtual thread about to join (JDK 21 and later): it is
     * watched from now on ({@link LockTracker#currentState} watches a thread new to lockwatch), and its wait for the
     * joined thread is looked at even while it holds nothing: on the joined thread's termination latch, or, a virtual
     * thread's join of a platform thread, in {@code Object.wait} on that thread. Virtual threads that join each other,
     * or a platform thread that joins them back, holding no lock, wait forever where no thread snapshot of the JVM
     * shows them, and none may ever have taken a lock before.
     */
    private static void watchJoiner(Thread joined) {
        try {
            ThreadState state = LockTracker.currentState();
            if (state != null) state.joined = joined;
        } catch (Throwable e) {
            InternalErrors.record("join watch", e);
        }
    }

    /**
     * On entry of {@code FutureTask.get} (both overloads): a virtual thread is watched from now on, as one that joins a
     * virtual thread is ({@link #watchJoiner}), so that the registry's sweep finds it parked on the task holding
     * nothing. Virtual threads whose tasks get each other's results wait forever where no thread snapshot of the JVM
     * shows them, and may never have taken a lock; a platform thread is in every snapshot. Every other caller pays
     * one class comparison.
     */
    public static void gettingResult() {
        if (!ThreadRegistry.isVirtual(Thread.currentThread())) return;
        try {
            LockTracker.currentState();
        } catch (Throwable e) {
            InternalErrors.record("result watch", e);
        }
    }

    /**
     * On entry of {@code VirtualThread.park} and {@code parkNanos}, on the virtual thread itself: every park and sleep
     * of a virtual thread goes through one; and on entry of {@code VirtualThread.afterYield}, on its carrier after it
     * unmounted, which is also how an {@code Object.wait} and a blocked monitor enter end on JDK 24 and later (they
     * unmount without a park). Counts it in the thread's state, for the hang detector to tell one long wait from many
     * short ones (a lock held across short sleeps or monitor waits, again and again, is no stall), as the JVM's
     * snapshots do for a platform thread; a park that unmounts counts twice, which is still a changed count. Only a
     * state in the lookup cache is counted: a thread that never took a lock gets none here, and the detector puts back
     * in the cache those of the waiting threads that hold locks. Two loads, a comparison and an increment on a path
     * that unmounts the thread; nothing that can throw.
     */
    public static void parking(Thread virtualThread) {
        ThreadState state = LockTracker.cachedState(virtualThread);
        if (state != null) state.parks++;
    }

    /**
     * On entry of {@code jdk.internal.misc.Blocker.begin()}, which a thread calls before it blocks in a way that keeps a
     * virtual thread on its carrier: JDK 21 to 23's {@code Object.wait} (which neither parks nor unmounts it, unlike JDK
     * 24's), and file I/O. For a virtual thread, counted as a park ({@link #parking}): a lock held across short monitor
     * waits, again and again, is many waits, no stall. Every other thread pays a class comparison. Nothing that can
     * throw, no lock, no allocation: it runs inside the JDK's blocking paths.
     */
    public static void blocking() {
        Thread current = Thread.currentThread();
        if (ThreadRegistry.isVirtual(current)) parking(current);
    }

    /**
     * Before a blocking acquisition of a lock that is not reentrant, which the thread holds already in a mode the
     * request must wait for (the tracker has checked that): it will wait for itself. Reported once per site and thread.
     */
    static void waitingForItself(Object lock, boolean heldExclusive, boolean wantExclusive) {
        if (listener == null) return;
        ThreadState state = LockTracker.currentState();
        if (state == null) return;
        state.busy = true;
        try {
            StackTraceElement[] stack = StackCapture.current(LockTracker.stackDepth(), state);
            StackTraceElement site = stack.length > 0 ? stack[0] : null;
            Thread current = Thread.currentThread();
            if (!firstTime("self_deadlock", site, current.getName())) return;
            listener.selfDeadlock(current.getName(), current.getId(), lock, heldExclusive ? "write" : "read",
                    wantExclusive ? "write" : "read", site, stack);
        } catch (Throwable e) {
            InternalErrors.record("self-deadlock check", e);
        } finally {
            state.busy = false;
        }
    }

    /** The frame that called into {@code Thread}: the first one below Thread's own. */
    private static StackTraceElement caller(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            if (!THREAD.equals(frame.getClassName()) && !VIRTUAL_THREAD.equals(frame.getClassName())) return frame;
        }
        return null;
    }

    /** Which overload the caller used: the outermost {@code Thread.join} frame, by its descriptor. */
    private static String joinCall() {
        // Descriptors need the frames' classes (JDK 22+ refuses them otherwise).
        String descriptor = JOIN_WALKER.walk(
                new java.util.function.Function<java.util.stream.Stream<StackWalker.StackFrame>, String>() {
                    @Override
                    public String apply(java.util.stream.Stream<StackWalker.StackFrame> frames) {
                        String outermost = "()V";
                        java.util.Iterator<StackWalker.StackFrame> it = frames.iterator();
                        while (it.hasNext()) {
                            StackWalker.StackFrame f = it.next();
                            if (f.getClassName().equals(THREAD) && f.getMethodName().equals("join")) {
                                outermost = f.getDescriptor();
                            }
                        }
                        return outermost;
                    }
                });
        switch (descriptor) {
            case "()V":
                return "join()";
            case "(J)V":
                return "join(millis)";
            case "(JI)V":
                return "join(millis, nanos)";
            default:
                return "join(Duration)";
        }
    }

    private static boolean firstTime(String kind, StackTraceElement site, String threadName) {
        String key = kind + '|' + site + '|' + threadName;
        if (REPORTED.containsKey(key)) return false;
        if (REPORTED.size() >= MAX_REMEMBERED) {
            DROPPED.incrementAndGet();
            return false;
        }
        return REPORTED.putIfAbsent(key, Boolean.TRUE) == null;
    }
}
