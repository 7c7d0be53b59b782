package io.lockwatch.runtime.track;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import jdk.internal.vm.annotation.DontInline;

/**
 * Captures the application's stack, without lockwatch's own frames. Only ever on a new edge (and on a
 * thread mistake).
 *
 * <p>Two ways, by what they leave behind. A {@link Throwable}'s stack is the JVM's compact record of the
 * frames, turned into {@link StackTraceElement}s in one go, so it costs in proportion to the whole stack. The
 * {@link StackWalker} stops at {@code depth} frames but makes two objects per frame it fetches (a frame and
 * its member name) and fetches in growing batches. JMH ({@code StackCaptureBenchmark}, JDK 17, depth 64),
 * garbage per capture: 5.0 against 9.3 KB for 40 application frames, 9.7 against 10.1 KB for 100, 17.4
 * against 10.2 KB for 200. The garbage matters while a JVM starts, when most new edges are made: on JDK 17
 * it moves G1's first collections earlier, and whether G1 then grew the heap during H2's first pass
 * depended on it (bench/PERFORMANCE-ROUNDS.md, twenty-sixth round). So the Throwable first; a thread whose
 * stacks run deeper than {@link #deepFrom} frames is walked from then on.
 *
 * <p>A JVM may cut Throwables' stacks short: {@code -XX:MaxJavaStackTraceDepth=N} keeps N frames, lockwatch's
 * own among them, and {@code -XX:-StackTraceInThrowable} none. {@link #checkThrowables} finds out once, at
 * start, and a stack that may have been cut is walked instead.
 */
final class StackCapture {
    private static final StackWalker WALKER = StackWalker.getInstance();
    static final java.util.concurrent.atomic.AtomicLong walks = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Throwables' stacks this long (in frames, lockwatch's own included) may have been cut short by the JVM;
     * {@link Integer#MAX_VALUE} until {@link #checkThrowables} finds that this JVM cuts them.
     */
    private static volatile int throwablesCutAt = Integer.MAX_VALUE;

    private StackCapture() {}

    /**
     * Finds out, once as the agent starts, whether this JVM cuts Throwables' stacks shorter than the stacks
     * lockwatch keeps whole from a Throwable (up to {@link #deepFrom} {@code depth} frames): a little deeper
     * than that, two Throwables one frame apart. If the deeper one has no more frames, the JVM cut both. (No
     * walker here: the first walk sets up machinery that most JVMs never need.)
     */
    static void checkThrowables(int depth) {
        throwablesCutAt = probe(deepFrom(depth) + 16);
    }

    static int throwablesCutAt() {
        return throwablesCutAt;
    }

    /** Recurses {@code frames} deep, then compares: the cut length, or {@link Integer#MAX_VALUE} for none. */
    private static int probe(int frames) {
        if (frames > 0) return probe(frames - 1);
        int here = new Throwable().getStackTrace().length;
        return oneFrameDeeper() > here ? Integer.MAX_VALUE : here;
    }

    private static int oneFrameDeeper() {
        return new Throwable().getStackTrace().length;
    }

    static boolean isOwnFrame(String className) {
        return className.startsWith("io.lockwatch.runtime.")
                || className.startsWith("io.lockwatch.agent.")
                || className.startsWith("io.lockwatch.shaded.");
    }

    /**
     * The frames the walker leaves out by default, left out of a Throwable's stack too, so that both ways
     * give the same stack: reflection's own frames ({@code Method.invoke}, {@code Constructor.newInstance} and
     * their accessors). Hidden frames (lambda forms) neither way shows.
     */
    private static boolean isReflectionFrame(String className) {
        return className.startsWith("jdk.internal.reflect.") || className.equals("java.lang.reflect.Method")
                || className.equals("java.lang.reflect.Constructor");
    }

    /** Stacks deeper than this are about as cheap to walk as to take whole (JMH {@code StackCaptureBenchmark}). */
    static int deepFrom(int depth) {
        return depth + depth / 2;
    }

    /** The current stack, at most {@code depth} frames: by a Throwable, see the class comment. */
    static StackTraceElement[] current(int depth) {
        return current(depth, null);
    }

    /**
     * The current stack, at most {@code depth} frames.
     *
     * @param thread the capturing thread's state, which remembers whether its stacks are walked; or null
     */
    @DontInline // rare (once per new pair of sites), and the capture's code is large
    static StackTraceElement[] current(int depth, ThreadState thread) {
        walks.incrementAndGet();
        if (thread == null || !thread.walksStacks) {
            StackTraceElement[] all = new Throwable().getStackTrace();
            // Empty when the JVM keeps no stacks in Throwables, whether checkThrowables ran or not.
            boolean cut = all.length == 0 || all.length >= throwablesCutAt;
            if (thread != null && (cut || all.length > deepFrom(depth))) thread.walksStacks = true;
            if (!cut) return kept(all, depth);
        }
        return walked(depth);
    }

    /** The application's frames of a whole stack, at most {@code depth}, each the shared frame object. */
    private static StackTraceElement[] kept(StackTraceElement[] all, int depth) {
        int n = 0;
        for (int i = 0; i < all.length && n < depth; i++) {
            String className = all[i].getClassName();
            if (!isOwnFrame(className) && !isReflectionFrame(className)) all[n++] = shared(all[i]);
        }
        return n == all.length ? all : Arrays.copyOf(all, n);
    }

    /** The application's frames, at most {@code depth}, walked one by one: no more are fetched than needed. */
    static StackTraceElement[] walked(int depth) {
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
    static final int MAX_SHARED_FRAMES = 1 << 16;
    private static final SharedFrames FRAMES = new SharedFrames(MAX_SHARED_FRAMES);

    /** The frame object already kept for a frame equal to {@code frame}, or {@code frame} itself. */
    static StackTraceElement shared(StackTraceElement frame) {
        return FRAMES.shared(frame);
    }

    /**
     * Where a still-held lock was acquired, rebuilt from its site and the current stack: the site's frame,
     * then the callers below the site's method if that method is still on the stack (always so for a
     * {@code synchronized} block). A lock taken in a method that has since returned gets its site alone.
     */
    static StackTraceElement[] heldAt(int site, StackTraceElement[] now) {
        StackTraceElement at = CallSites.site(site);
        if (at == null) return new StackTraceElement[0];
        at = shared(at); // a site's description is made anew at each call
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
