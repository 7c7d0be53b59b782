package io.lockwatch.runtime.track;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import jdk.internal.vm.annotation.DontInline;

/**
 * One frame object per distinct frame, for the stacks lockwatch keeps: an open-addressed table of the frames
 * themselves, without locking.
 *
 * <p>Not a {@code ConcurrentHashMap}: this table only answers "the frame already kept that equals this one", so
 * a slot is the frame, with no node around it. At the cap of {@code 65,536} frames a map kept about 2.5 MB of
 * nodes and table (a map's table never shrinks, not even when cleared), this table 512 KB; with the few
 * thousand frames of a service's start (1,600: 16 KB against 65 KB).
 *
 * <p>Starts small and doubles while at most half full, so a probe ends at an empty slot soon. Racy on purpose
 * where that only costs sharing: a frame added to a table while it is being copied into the next one is left
 * behind, and a later capture of it keeps an object of its own (two equal frame objects, as without the table).
 * At the cap it starts over from a small table, so that frames no kept stack has any more are not kept by the
 * table alone for ever.
 */
final class SharedFrames {
    /** Slots at first: the table is made when lockwatch starts, long before most JVMs capture a stack. */
    private static final int FIRST_SLOTS = 64;

    private static final class Table {
        final AtomicReferenceArray<StackTraceElement> slots;
        final int mask;
        /** Fibonacci hashing: a frame's slot is the top bits of its hash times the golden ratio. */
        final int shift;
        final AtomicInteger frames = new AtomicInteger();

        Table(int powerOfTwo) {
            slots = new AtomicReferenceArray<>(powerOfTwo);
            mask = powerOfTwo - 1;
            shift = 32 - Integer.numberOfTrailingZeros(powerOfTwo);
        }

        /**
         * Where a frame's probe starts. Scattered: the frames of one method differ in their hash by their line
         * numbers alone, and consecutive slots would make runs that every probe near them walks.
         */
        int slotOf(StackTraceElement frame) {
            return (frame.hashCode() * 0x9E3779B9) >>> shift;
        }
    }

    private final int maxFrames;
    private volatile Table table = new Table(FIRST_SLOTS);

    /** @param maxFrames distinct frames kept at most before the table starts over (its slots: twice that, at most) */
    SharedFrames(int maxFrames) {
        this.maxFrames = maxFrames;
    }

    /** The frame object already kept for a frame equal to {@code frame}, or {@code frame} itself, now kept. */
    StackTraceElement shared(StackTraceElement frame) {
        Table t = table;
        int i = t.slotOf(frame);
        // At most half full, so an empty slot comes soon; the bound only guards against a table that racing
        // inserts filled before it could grow: the frame is then not shared.
        for (int probes = 0; probes <= t.mask; probes++, i = (i + 1) & t.mask) {
            StackTraceElement known = t.slots.get(i);
            if (known == null) {
                if (!t.slots.compareAndSet(i, null, frame)) {
                    known = t.slots.get(i); // another thread's frame: maybe the same
                } else {
                    if (t.frames.incrementAndGet() > (t.mask + 1) / 2) grow(t);
                    return frame;
                }
            }
            if (known.equals(frame)) return known;
        }
        return frame;
    }

    /** Distinct frames in the table now (for tests and statistics). */
    int size() {
        return table.frames.get();
    }

    /** Slots of the table now (for tests). */
    int slots() {
        return table.mask + 1;
    }

    /** Twice the slots, with the frames copied; or, at the cap, a small empty table. */
    @DontInline // once per doubling: out of the compiled lookups
    private void grow(Table full) {
        if (table != full) return; // another thread grew it
        int length = full.mask + 1;
        Table next;
        if (length / 2 >= maxFrames) {
            next = new Table(FIRST_SLOTS);
        } else {
            next = new Table(length * 2);
            for (int i = 0; i < length; i++) {
                StackTraceElement frame = full.slots.get(i);
                if (frame != null) copy(next, frame);
            }
        }
        table = next; // a racing grow's table may be replaced: only sharing is lost
    }

    private static void copy(Table into, StackTraceElement frame) {
        int i = into.slotOf(frame);
        while (into.slots.get(i) != null) i = (i + 1) & into.mask;
        into.slots.set(i, frame);
        into.frames.incrementAndGet();
    }
}
