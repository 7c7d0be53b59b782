package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A lock held past the threshold by a thread that is running, while other threads wait for it: the holder reads a
 * socket that never answers, waits in native code, or loops, with the lock held. It waits on nothing that a thread
 * dump names, so this is neither a deadlock nor a stall; yet every thread behind it (those blocked on its locks, and
 * those blocked on theirs) waits for as long as it runs. The holder's CPU time over the hold tells which it is: about
 * none for I/O or a native wait, about all of it for a busy loop. A virtual holder may also be runnable and not run
 * at all: ready, but every carrier thread of the scheduler is taken.
 */
final class LongHoldFinding extends BlockingFinding {
    /** What the runnable holder is doing, as its top frame tells; the report's {@code running}. */
    enum Running {
        NATIVE("native", "running native code",
                "every thread behind it waits as long as this call does: hold no lock across I/O, or give the call a timeout"),
        JAVA("java", "running Java code",
                "every thread behind it waits as long as this work does: keep the work out of the locked section"),
        NO_CARRIER("no_carrier", "ready to run without a carrier thread",
                "every thread behind it waits until a carrier is free: look at what the virtual threads on the carriers"
                        + " do (above): they compute without blocking, or are pinned to their carrier");

        final String key;
        final String phrase;
        final String advice;

        Running(String key, String phrase, String advice) {
            this.key = key;
            this.phrase = phrase;
            this.advice = advice;
        }

        /**
         * From a runnable thread's stack, when it is not a virtual thread that waits for a carrier
         * ({@link CarrierWaits}, which its stack cannot tell: JDK 25 shows an unmounted thread's last frames).
         */
        static Running of(StackTraceElement[] stack) {
            return stack.length > 0 && stack[0].isNativeMethod() ? NATIVE : JAVA;
        }
    }

    private final long heldMillis;
    /** CPU time the holder used during the hold, or -1 when not measured. */
    private final long holderCpuMillis;
    private final Running running;
    /** For {@link Running#NO_CARRIER}: the virtual threads on the carriers when it was found ({@link Carriers}). */
    private final List<Carriers.Mounted> carriers;

    LongHoldFinding(ThreadView holder, long heldMillis, long holderCpuMillis, Running running, List<LockRef> locks,
                    List<ThreadView> blocked, List<Carriers.Mounted> carriers) {
        super("long_hold", holder, locks, blocked);
        this.heldMillis = heldMillis;
        this.holderCpuMillis = holderCpuMillis;
        this.running = running;
        this.carriers = carriers;
    }

    @Override
    void writeDetails(JsonWriter json) {
        json.field("heldMillis", heldMillis);
        json.name("holderCpuMillis");
        if (holderCpuMillis < 0) json.value((String) null);
        else json.value(holderCpuMillis);
        json.field("running", running.key);
        writeHolderAndBlocked(json, "holder");
        if (running != Running.NO_CARRIER) return;
        json.name("carriers").beginArray();
        for (Carriers.Mounted m : carriers) m.thread.write(json, j -> j.field("carrier", m.carrier));
        json.endArray();
    }

    @Override
    public String summary() {
        StringBuilder out = new StringBuilder();
        out.append(title()).append(": thread ").append(quoted(holder.name)).append(" has held ")
                .append(String.join(", ", lockNames())).append(" for at least ").append(ThreadView.seconds(heldMillis))
                .append(" while ").append(running.phrase);
        if (holderCpuMillis >= 0) out.append(" (").append(ThreadView.seconds(holderCpuMillis)).append(" of CPU)");
        out.append(", and ").append(blocked.size() == 1 ? "1 thread is" : blocked.size() + " threads are")
                .append(" blocked behind it\n");
        summarizeThreads(out);
        if (running == Running.NO_CARRIER) summarizeCarriers(out);
        out.append("  ").append(running.advice).append('\n');
        return out.toString();
    }

    private void summarizeCarriers(StringBuilder out) {
        if (carriers.isEmpty()) {
            out.append("  the virtual threads on the carriers could not be listed (a JVM run with -Djdk.trackAllThreads=false?):"
                    + " jcmd <pid> Thread.dump_to_file <file> lists every thread\n");
            return;
        }
        List<String> mounted = new ArrayList<>();
        for (Carriers.Mounted m : carriers) mounted.add(quoted(m.thread.name) + " on " + m.carrier);
        out.append("  on the carriers now: ").append(String.join(", ", mounted)).append('\n');
        for (Carriers.Mounted m : carriers) m.thread.summarize(out, "  ");
    }
}
