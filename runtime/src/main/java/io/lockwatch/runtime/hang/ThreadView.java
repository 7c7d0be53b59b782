package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.lang.management.LockInfo;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One thread as a hang finding shows it: its state, what it waits for and who holds that, the locks it
 * holds, and its stack with jstack's {@code - locked} lines. Taken from a {@link ThreadInfo}, or for a
 * thread the JVM's snapshots leave out (a virtual thread), from lockwatch's own bookkeeping.
 */
final class ThreadView {
    /** Frames per thread on stderr; the report has the whole stack. */
    private static final int SUMMARY_FRAMES = 12;

    final String name;
    final long id;
    final String state;
    final LockRef waitingFor;
    final String ownerName;
    final long ownerId;
    final long waitingMillis;
    /** How it waits for its owner (see {@link #waitingForNext}). */
    final Tie tie;
    final List<LockRef> holds = new ArrayList<>();
    /** The stack without lockwatch's own frames. */
    final List<String> stack = new ArrayList<>();
    /** The same, each frame followed by jstack-style "- locked ..." lines: for stderr. */
    private final List<String> annotated = new ArrayList<>();
    /** Held locks that no frame of the stack took (or none shown): listed after it. */
    private final List<LockRef> heldOffStack = new ArrayList<>();

    /** How a thread waits for its owner, the thread it waits for. */
    enum Tie {
        /** For a lock the owner holds. */
        LOCK,
        /** In {@code join()}, for the owner to end: on the owner's monitor (or, a virtual thread's, its termination latch). */
        JOIN,
        /** In {@code get()}, for the result of a task the owner runs: parked on the task. */
        RESULT
    }

    ThreadView(ThreadInfo info, long waitingMillis) {
        this(info, waitingMillis, info.getLockOwnerId(), info.getLockOwnerId() >= 0 ? info.getLockOwnerName() : null, Tie.LOCK);
    }

    /**
     * A thread that waits for {@code next}, as {@code tie} says. For a join or a result it waits on an object that no
     * thread owns (the joined thread, the task), so the JVM names no owner: {@code next} is named as the owner.
     */
    static ThreadView waitingForNext(ThreadInfo info, long waitingMillis, Tie tie, ThreadInfo next) {
        return new ThreadView(info, waitingMillis, next.getThreadId(), next.getThreadName(), tie);
    }

    private ThreadView(ThreadInfo info, long waitingMillis, long ownerId, String ownerName, Tie tie) {
        this.tie = tie;
        this.name = info.getThreadName();
        this.id = info.getThreadId();
        this.state = info.getThreadState().name();
        this.waitingFor = LockRef.of(info.getLockInfo(), null);
        this.ownerId = ownerId;
        this.ownerName = ownerName;
        this.waitingMillis = Math.max(0, waitingMillis);
        StackTraceElement[] frames = info.getStackTrace();
        MonitorInfo[] monitors = info.getLockedMonitors();
        for (int depth = 0; depth < frames.length; depth++) {
            String frame = plain(frames[depth]);
            boolean own = isOwnFrame(frames[depth].getClassName());
            if (!own) {
                stack.add(frame);
                annotated.add("at " + frame);
            }
            for (MonitorInfo m : monitors) {
                if (m.getLockedStackDepth() != depth) continue;
                LockRef held = new LockRef(m.getClassName(), m.getIdentityHashCode(), frame);
                holds.add(held);
                if (!own) annotated.add("- locked " + held.name());
            }
        }
        for (MonitorInfo m : monitors) {
            if (m.getLockedStackDepth() < 0) holds.add(new LockRef(m.getClassName(), m.getIdentityHashCode(), null));
        }
        for (LockInfo sync : info.getLockedSynchronizers()) holds.add(LockRef.of(sync, null));
        for (LockRef h : holds) {
            if (h.at == null) heldOffStack.add(h);
        }
    }

    /**
     * A thread as lockwatch's held-lock stacks see it: {@code held} are its locks, each with the site that
     * took it, shown under the topmost frame of the site's method (whose line has moved on since, as in jstack);
     * {@code tie}: how it waits for {@code owner}.
     */
    ThreadView(Thread thread, String state, LockRef waitingFor, Thread owner, Tie tie, long waitingMillis,
               List<LockRef> held, StackTraceElement[] frames) {
        this.tie = tie;
        this.name = thread.getName();
        this.id = thread.getId();
        this.state = state;
        this.waitingFor = waitingFor;
        this.ownerId = owner != null ? owner.getId() : -1;
        this.ownerName = owner != null ? owner.getName() : null;
        this.waitingMillis = Math.max(0, waitingMillis);
        holds.addAll(held);
        List<LockRef> unplaced = new ArrayList<>(held);
        for (StackTraceElement f : frames) {
            if (isOwnFrame(f.getClassName())) continue;
            String frame = plain(f);
            stack.add(frame);
            annotated.add("at " + frame);
            for (java.util.Iterator<LockRef> it = unplaced.iterator(); it.hasNext(); ) {
                LockRef h = it.next();
                if (h.at != null && method(frame).equals(method(h.at))) {
                    annotated.add("- locked " + h.name());
                    it.remove();
                }
            }
        }
        heldOffStack.addAll(unplaced);
    }

    /** A frame as the rest of the report prints it: without the class loader and module prefixes. */
    static String plain(StackTraceElement frame) {
        return new StackTraceElement(frame.getClassName(), frame.getMethodName(), frame.getFileName(),
                frame.getLineNumber()).toString();
    }

    /**
     * The topmost frame of code outside the JDK (the application's or a library's), as {@link #plain} writes it:
     * where a wait was asked for, when the JDK's own frames above it say only how it waits. Null if there is none.
     */
    String firstFrameOutsideTheJdk() {
        for (String frame : stack) {
            if (!frame.startsWith("java.") && !frame.startsWith("jdk.") && !frame.startsWith("sun.")
                    && !frame.startsWith("com.sun.")) {
                return frame;
            }
        }
        return null;
    }

    static boolean isOwnFrame(String className) {
        return className.startsWith("io.lockwatch.runtime.") || className.startsWith("io.lockwatch.agent.");
    }

    /** A frame as {@link #plain} writes it, without its file and line: {@code class.method}. */
    static String method(String frame) {
        int paren = frame.indexOf('(');
        return paren < 0 ? frame : frame.substring(0, paren);
    }

    /** The lock of {@link #holds} that {@code wanted} names, or a reference without a site. */
    LockRef held(LockInfo wanted) {
        for (LockRef h : holds) {
            if (h.sameLock(wanted)) return h;
        }
        return LockRef.of(wanted, null);
    }

    void write(JsonWriter json) {
        write(json, null);
    }

    /** @param more fields of a finding's own added to the thread's object (null: none) */
    void write(JsonWriter json, Consumer<JsonWriter> more) {
        json.beginObject();
        json.field("name", name).field("id", id).field("state", state);
        json.name("waitingFor");
        if (waitingFor == null) json.value((String) null);
        else waitingFor.write(json);
        json.name("owner");
        if (ownerId < 0) json.value((String) null);
        else json.beginObject().field("name", ownerName).field("id", ownerId).endObject();
        json.field("waitingMillis", waitingMillis);
        json.name("holds").beginArray();
        for (LockRef h : holds) h.write(json);
        json.endArray();
        json.stringArray("stack", stack);
        if (more != null) more.accept(json);
        json.endObject();
    }

    /** jstack-like: a header line, what it waits for, then the top of the stack. */
    void summarize(StringBuilder out, String indent) {
        out.append(indent).append('"').append(name).append("\" #").append(id).append(' ').append(state);
        if (waitingMillis > 0) out.append(" for ").append(seconds(waitingMillis));
        out.append('\n');
        if (tie == Tie.JOIN) {
            out.append(indent).append("    joining \"").append(ownerName).append("\" #").append(ownerId)
                    .append(": waiting for it to end, on ").append(waitingFor.name()).append('\n');
        } else if (tie == Tie.RESULT) {
            out.append(indent).append("    waiting for the result of ").append(waitingFor.name()).append(", the task \"")
                    .append(ownerName).append("\" #").append(ownerId).append(" runs\n");
        } else if (waitingFor != null) {
            out.append(indent).append("    ").append(state.equals("BLOCKED") ? "waiting to lock " : "waiting for ")
                    .append(waitingFor.name());
            if (ownerId >= 0) out.append(" held by \"").append(ownerName).append("\" #").append(ownerId);
            out.append('\n');
        }
        int shown = 0;
        for (String line : annotated) {
            if (line.startsWith("at ") && ++shown > SUMMARY_FRAMES) {
                out.append(indent).append("    ...\n");
                break;
            }
            out.append(indent).append("    ").append(line).append('\n');
        }
        for (LockRef h : heldOffStack) {
            out.append(indent).append("    holds ").append(h.name());
            if (h.at != null) out.append(" (taken at ").append(h.at).append(')');
            out.append('\n');
        }
    }

    /** A thread's stack now, at most {@code depth} frames: for the threads lockwatch's own stacks find. */
    static StackTraceElement[] stackOf(Thread thread, int depth) {
        StackTraceElement[] frames = thread.getStackTrace();
        return frames.length > depth ? Arrays.copyOf(frames, depth) : frames;
    }

    static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
