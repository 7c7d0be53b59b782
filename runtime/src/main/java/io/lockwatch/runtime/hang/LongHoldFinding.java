package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.util.List;

/**
 * A lock held past the threshold by a thread that is running, while other threads wait for it: the holder reads a
 * socket that never answers, waits in native code, or loops, with the lock held. It waits on nothing that a thread
 * dump names, so this is neither a deadlock nor a stall; yet every thread behind it (those blocked on its locks, and
 * those blocked on theirs) waits for as long as it runs. The holder's CPU time over the hold tells which it is: about
 * none for I/O or a native wait, about all of it for a busy loop.
 */
final class LongHoldFinding extends BlockingFinding {
    private final long heldMillis;
    /** CPU time the holder used during the hold, or -1 when not measured. */
    private final long holderCpuMillis;
    private final boolean inNativeCode;

    LongHoldFinding(ThreadView holder, long heldMillis, long holderCpuMillis, boolean inNativeCode, List<LockRef> locks,
                    List<ThreadView> blocked) {
        super("long_hold", holder, locks, blocked);
        this.heldMillis = heldMillis;
        this.holderCpuMillis = holderCpuMillis;
        this.inNativeCode = inNativeCode;
    }

    @Override
    void writeDetails(JsonWriter json) {
        json.field("heldMillis", heldMillis);
        json.name("holderCpuMillis");
        if (holderCpuMillis < 0) json.value((String) null);
        else json.value(holderCpuMillis);
        json.field("running", inNativeCode ? "native" : "java");
        writeHolderAndBlocked(json, "holder");
    }

    @Override
    public String summary() {
        StringBuilder out = new StringBuilder();
        out.append(title()).append(": thread ").append(quoted(holder.name)).append(" has held ")
                .append(String.join(", ", lockNames())).append(" for at least ").append(ThreadView.seconds(heldMillis))
                .append(" while running ").append(inNativeCode ? "native code" : "Java code");
        if (holderCpuMillis >= 0) out.append(" (").append(ThreadView.seconds(holderCpuMillis)).append(" of CPU)");
        out.append(", and ").append(blocked.size() == 1 ? "1 thread is" : blocked.size() + " threads are")
                .append(" blocked behind it\n");
        summarizeThreads(out);
        out.append(inNativeCode
                ? "  every thread behind it waits as long as this call does: hold no lock across I/O, or give the call a timeout\n"
                : "  every thread behind it waits as long as this work does: keep the work out of the locked section\n");
        return out.toString();
    }
}
