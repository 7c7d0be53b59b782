package io.lockwatch.runtime.track;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import jdk.internal.vm.annotation.DontInline;

/** Captures the application's stack, without lockwatch's own frames. Only ever on a new edge. */
final class StackCapture {
    private static final StackWalker WALKER = StackWalker.getInstance();
    static final java.util.concurrent.atomic.AtomicLong walks = new java.util.concurrent.atomic.AtomicLong();

    private StackCapture() {}

    static boolean isOwnFrame(String className) {
        return className.startsWith("io.lockwatch.runtime.")
                || className.startsWith("io.lockwatch.agent.")
                || className.startsWith("io.lockwatch.shaded.");
    }

    /** Never inlined: rare (once per new pair of sites), and the stack walker's code is large. */
    @DontInline
    static StackTraceElement[] current(int depth) {
        walks.incrementAndGet();
        return WALKER.walk(new Function<Stream<StackWalker.StackFrame>, StackTraceElement[]>() {
            @Override
            public StackTraceElement[] apply(Stream<StackWalker.StackFrame> frames) {
                List<StackTraceElement> kept = new ArrayList<>(Math.min(depth, 64));
                Iterator<StackWalker.StackFrame> it = frames.iterator();
                while (it.hasNext() && kept.size() < depth) {
                    StackWalker.StackFrame frame = it.next();
                    if (!isOwnFrame(frame.getClassName())) kept.add(shared(frame.toStackTraceElement()));
                }
                return kept.toArray(new StackTraceElement[0]);
            }
        });
    }

    /**
     * One frame object per distinct frame, kept by every captured stack that has it. Captured stacks live as
     * long as the graph keeps their edges, and the threads of a pool capture the same frames again and again
     * (each its own stacks, per pair of sites): in the H2 bench 12,000–19,000 frame objects were alive, about
     * 1,600 with this table, and each young collection copied them again until they were old enough to
     * promote. Bounded: at {@link #MAX_SHARED_FRAMES} distinct frames the table starts over, so that frames
     * no stack keeps any more are not kept by the table alone for ever.
     */
    private static final ConcurrentHashMap<StackTraceElement, StackTraceElement> FRAMES = new ConcurrentHashMap<>();
    static final int MAX_SHARED_FRAMES = 1 << 16;

    /** The frame object already kept for a frame equal to {@code frame}, or {@code frame} itself. */
    static StackTraceElement shared(StackTraceElement frame) {
        StackTraceElement known = FRAMES.get(frame);
        if (known != null) return known;
        if (FRAMES.size() >= MAX_SHARED_FRAMES) FRAMES.clear();
        known = FRAMES.putIfAbsent(frame, frame);
        return known != null ? known : frame;
    }

    /**
     * Where a still-held lock was acquired, rebuilt from its site and the current stack: the site's frame,
     * then the callers below the site's method if that method is still on the stack (always so for a
     * {@code synchronized} block). A lock taken in a method that has since returned gets its site alone.
     */
    static StackTraceElement[] heldAt(int site, StackTraceElement[] now) {
        StackTraceElement at = CallSites.site(site);
        if (at == null) return new StackTraceElement[0];
        for (int i = 0; i < now.length; i++) {
            if (now[i].getClassName().equals(at.getClassName()) && now[i].getMethodName().equals(at.getMethodName())) {
                StackTraceElement[] stack = new StackTraceElement[now.length - i];
                stack[0] = at;
                System.arraycopy(now, i + 1, stack, 1, now.length - i - 1);
                return stack;
            }
        }
        return new StackTraceElement[] {at};
    }
}
