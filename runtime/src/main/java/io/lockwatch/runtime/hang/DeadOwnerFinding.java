package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import io.lockwatch.runtime.track.CallSites;
import io.lockwatch.runtime.track.ThreadRegistry;
import java.lang.management.LockInfo;
import java.lang.management.ThreadInfo;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A thread ended while holding a {@code ReentrantLock}, a read/write lock or a {@code StampedLock}. Nothing can
 * unlock it now (a StampedLock's stamp could have been handed on, so it is reported only once still held a stall
 * threshold after the end), and every thread that wants it waits forever. Reported when the end is noticed; each
 * thread that then blocks on the lock is added (and announced) as the detector sees it.
 */
final class DeadOwnerFinding extends HangFinding {
    private final String deadName;
    private final long deadId;
    private final LockRef lock;
    private final boolean read;
    /** A StampedLock: another thread could unlock it with its stamp, which none did within the threshold. */
    private final boolean stamped;
    private final StackTraceElement acquiredAt;
    /** What waiting threads park on, known by class and identity hash; null when it could not be read. */
    private final String syncClass;
    private final int syncHash;
    private final WeakReference<Object> lockRef;
    private final List<ThreadView> waiters = new CopyOnWriteArrayList<>();
    private final Set<Long> waiterIds = new HashSet<>(); // detector only

    DeadOwnerFinding(ThreadRegistry.HeldByDeadThread held) {
        super("dead_owner");
        this.deadName = held.threadName;
        this.deadId = held.threadId;
        this.acquiredAt = CallSites.site(held.site);
        this.lock = LockRef.of(held.lock, acquiredAt != null ? acquiredAt.toString() : null);
        this.read = held.read;
        this.stamped = held.mayBeUnlockedByOthers();
        this.syncClass = held.synchronizer != null ? held.synchronizer.getClass().getName() : null;
        this.syncHash = held.synchronizer != null ? System.identityHashCode(held.synchronizer) : 0;
        this.lockRef = new WeakReference<>(held.lock);
    }

    /** The lock was collected: nobody can wait for it any more. */
    boolean forgotten() {
        return lockRef.get() == null;
    }

    /** Is this thread (from a thread snapshot) waiting for this lock? */
    boolean isWaiter(ThreadInfo info) {
        if (waiterIds.contains(info.getThreadId())) return false;
        LockInfo wants = info.getLockInfo();
        if (wants == null) return false;
        if (syncClass != null) return wants.getClassName().equals(syncClass) && wants.getIdentityHashCode() == syncHash;
        return !read && info.getLockOwnerId() == deadId;
    }

    void addWaiter(ThreadView waiter) {
        waiterIds.add(waiter.id);
        waiters.add(waiter);
    }

    @Override
    public List<String> threadNames() {
        return names(deadName, waiters);
    }

    @Override
    public List<String> lockNames() {
        return Collections.singletonList(lock.name());
    }

    @Override
    void writeDetails(JsonWriter json) {
        json.name("deadThread").beginObject().field("name", deadName).field("id", deadId).endObject();
        json.name("lock");
        lock.write(json);
        json.field("mode", read ? "read" : "exclusive");
        json.name("synchronizer");
        if (syncClass == null) json.value((String) null);
        else json.value(syncClass + "@" + Integer.toHexString(syncHash));
        writeFrame(json, "acquiredAt", acquiredAt);
        writeThreads(json, "waiters", waiters);
    }

    @Override
    public String summary() {
        StringBuilder out = new StringBuilder();
        out.append(title()).append(": thread ").append(quoted(deadName)).append(" #").append(deadId)
                .append(" ended while holding ").append(lock.name()).append(read ? " (read)" : "")
                .append(", taken at ").append(acquiredAt != null ? acquiredAt : "an unknown site")
                .append(stamped ? "; no thread it may have handed the stamp to has unlocked it within the threshold\n"
                        : "; nothing can unlock it now\n");
        if (waiters.isEmpty()) {
            out.append("  no thread waits for it yet; every thread that wants it will hang\n");
        } else {
            out.append("  threads waiting for it forever:\n");
            for (ThreadView w : waiters) w.summarize(out, "  ");
        }
        return out.toString();
    }

    /** The stderr block for a thread that now waits for the lock. */
    String news(ThreadView waiter) {
        StringBuilder out = new StringBuilder();
        out.append(title()).append(": thread ").append(quoted(waiter.name)).append(" now waits for ")
                .append(lock.name()).append(", held by ended thread ").append(quoted(deadName)).append('\n');
        waiter.summarize(out, "  ");
        return out.toString();
    }
}
