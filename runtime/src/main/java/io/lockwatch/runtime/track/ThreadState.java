package io.lockwatch.runtime.track;

import io.lockwatch.runtime.graph.Edge;
import io.lockwatch.runtime.graph.LockNode;
import io.lockwatch.runtime.graph.LockOrderGraph;
import io.lockwatch.runtime.graph.Occurrence;
import io.lockwatch.runtime.util.InternalErrors;

/**
 * One thread's view: the locks it holds, in the order it took them, and whether lockwatch itself is
 * running on it. Only its own thread touches it, so nothing here is synchronized.
 */
final class ThreadState {
    /** Most locks one thread can hold that we track; deeper ones are counted, not tracked. */
    static final int MAX_HELD = 256;

    final long threadId;
    /** Set once the thread has taken a java.util.concurrent lock: see {@link ThreadRegistry}. */
    boolean registered;
    /** The thread, for the registry to notice its end; only set once registered. */
    java.lang.ref.WeakReference<Thread> thread;
    /** The thread's name, refreshed by the registry while it lives (the Thread may be collected after). */
    volatile String threadName;
    /** The re-entrancy guard: true while lockwatch's own code runs on this thread, or for our own threads. */
    boolean busy;

    // The held-lock stack, as parallel arrays (no object per acquisition).
    private Object[] held = new Object[8];      // what was locked: the monitor, or the Lock object
    private Object[] identity = new Object[8];  // the lock in the graph (a read/write lock's shared sync)
    private LockNode[] nodes = new LockNode[8]; // resolved on first need, then reused
    private byte[] modes = new byte[8];
    private int[] sites = new int[8];
    private int[] counts = new int[8];          // re-entrant holds
    private int size;

    ThreadState(Thread thread) {
        this.threadId = thread.getId();
    }

    int indexOf(Object lock) {
        for (int i = size - 1; i >= 0; i--) {
            if (held[i] == lock) return i;
        }
        return -1;
    }

    /**
     * Adds the edges held -> lock that this thread has not taken in this way before. The common case,
     * every edge already known, costs a node lookup and a short scan per held lock: no allocation, no lock.
     */
    void checkOrder(LockOrderGraph graph, Object lock, Object lockIdentity, byte mode, int site,
                    boolean nonBlocking, int stackDepth) {
        if (size == 0) return;
        busy = true;
        try {
            LockNode to = graph.node(lockIdentity, LockKinds.className(lock, lockIdentity));
            if (to == null) return;
            StackTraceElement[] now = null;
            for (int i = 0; i < size; i++) {
                LockNode from = nodeAt(graph, i);
                if (from == null || from == to) continue;
                Edge edge = from.edgeTo(to);
                if (edge != null && edge.knows(threadId, modes[i], mode, nonBlocking)) continue;
                if (now == null) now = StackCapture.current(stackDepth);
                graph.record(from, to, new Occurrence(threadId, Thread.currentThread().getName(), modes[i], mode,
                        nonBlocking, StackCapture.heldAt(sites[i], now), now));
            }
        } catch (Throwable e) {
            InternalErrors.record("lock-order check", e);
        } finally {
            busy = false;
        }
    }

    private LockNode nodeAt(LockOrderGraph graph, int i) {
        LockNode node = nodes[i];
        if (node == null) {
            node = graph.node(identity[i], LockKinds.className(held[i], identity[i]));
            nodes[i] = node;
        }
        return node;
    }

    /** The thread now holds {@code lock} (once more, if it already did). */
    void acquired(Object lock, Object lockIdentity, byte mode, int site) {
        int i = indexOf(lock);
        if (i >= 0) {
            counts[i]++;
            return;
        }
        if (size == held.length) {
            if (size >= MAX_HELD) {
                LockTracker.heldOverflow.incrementAndGet();
                return;
            }
            grow();
        }
        held[size] = lock;
        identity[size] = lockIdentity;
        nodes[size] = null;
        modes[size] = mode;
        sites[size] = site;
        counts[size] = 1;
        size++;
    }

    /** The thread releases {@code lock} once. Locks may be released in any order. */
    void released(Object lock) {
        int i = indexOf(lock);
        if (i < 0) return; // taken before lockwatch started, or past MAX_HELD
        if (--counts[i] > 0) return;
        int tail = size - i - 1;
        if (tail > 0) {
            System.arraycopy(held, i + 1, held, i, tail);
            System.arraycopy(identity, i + 1, identity, i, tail);
            System.arraycopy(nodes, i + 1, nodes, i, tail);
            System.arraycopy(modes, i + 1, modes, i, tail);
            System.arraycopy(sites, i + 1, sites, i, tail);
            System.arraycopy(counts, i + 1, counts, i, tail);
        }
        size--;
        held[size] = null; // do not keep the lock alive
        identity[size] = null;
        nodes[size] = null;
    }

    int heldCount() {
        return size;
    }

    // Read by the detector only after the thread has terminated (its end happens-before isAlive() = false).
    Object heldAt(int i) {
        return held[i];
    }

    Object identityAt(int i) {
        return identity[i];
    }

    byte modeAt(int i) {
        return modes[i];
    }

    int siteAt(int i) {
        return sites[i];
    }

    private void grow() {
        int n = held.length * 2;
        held = java.util.Arrays.copyOf(held, n);
        identity = java.util.Arrays.copyOf(identity, n);
        nodes = java.util.Arrays.copyOf(nodes, n);
        modes = java.util.Arrays.copyOf(modes, n);
        sites = java.util.Arrays.copyOf(sites, n);
        counts = java.util.Arrays.copyOf(counts, n);
    }
}
