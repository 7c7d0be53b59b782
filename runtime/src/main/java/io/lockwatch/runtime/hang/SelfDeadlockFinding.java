package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.util.Collections;
import java.util.List;

/**
 * A thread asks for a lock it holds itself, of a kind that is not reentrant ({@code StampedLock}): its write lock
 * while it holds the lock in either mode, or its read lock while it holds the write lock; or for a
 * {@code ReentrantReadWriteLock}'s write lock while it holds its read lock (which is never upgraded). The request
 * waits for the holder to let go, and the holder is the thread that waits: for ever, and every other thread that then
 * needs the lock waits too. (Python's {@code threading.Lock} does the same; Java's {@code synchronized} and
 * {@code ReentrantLock} are reentrant and would not.)
 */
final class SelfDeadlockFinding extends CallFinding {
    /** A read/write lock's state, its {@code Sync} (what a thread dump names as the lock a thread parks on). */
    private static final String READ_WRITE_LOCK = "java.util.concurrent.locks.ReentrantReadWriteLock$";

    private final LockRef lock;
    private final String held;
    private final String wanted;

    SelfDeadlockFinding(String threadName, long threadId, LockRef lock, String held, String wanted,
                        StackTraceElement site, StackTraceElement[] stack) {
        super("self_deadlock", threadName, threadId, site, stack);
        this.lock = lock;
        this.held = held;
        this.wanted = wanted;
    }

    @Override
    public List<String> lockNames() {
        return Collections.singletonList(lock.name());
    }

    @Override
    void writeDetails(JsonWriter json) {
        writeThread(json);
        json.name("lock");
        lock.write(json);
        json.field("held", held).field("wanted", wanted);
        writeCall(json);
    }

    @Override
    public String summary() {
        String why = lock.className.startsWith(READ_WRITE_LOCK)
                ? "a ReentrantReadWriteLock's read lock is never upgraded to its write lock"
                : "a " + lock.className.substring(lock.className.lastIndexOf('.') + 1) + " is not reentrant";
        return title() + ": thread " + quoted(threadName) + " asks for the " + wanted + " lock of " + lock.name()
                + " at " + at() + " while it holds its " + held + " lock; " + why + ", so it waits for itself, forever\n";
    }
}
