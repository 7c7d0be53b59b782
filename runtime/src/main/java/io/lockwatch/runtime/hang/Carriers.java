package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.track.ThreadRegistry;
import io.lockwatch.runtime.util.JdkFields;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the virtual thread scheduler's carriers run now: the virtual threads mounted on one, each with its carrier. For
 * a long hold whose virtual holder waits for a carrier ({@link LongHoldFinding.Running#NO_CARRIER}), these are the
 * threads to look at: they compute without blocking, or are pinned to their carrier.
 *
 * <p>The JDK keeps its virtual threads in thread containers (the root one, an executor's, a structured scope's), which
 * its own thread dumps walk; so does this, through the JDK's {@code jdk.internal.vm.ThreadContainers}, exported to
 * lockwatch at start-up, reading each virtual thread's carrier ({@code VirtualThread.carrierThread}). Only when such a
 * long hold is reported, on the detector's thread, and capped: at most {@link #MAX_VISITED} threads are looked at. A
 * JDK without these, one run with {@code -Djdk.trackAllThreads=false} (the root container then holds no virtual
 * threads), or a walk that fails gives none: missed, never invented.
 */
final class Carriers {
    /** Threads looked at per walk, at most: past it, the rest are not. */
    static final int MAX_VISITED = 100_000;

    private static final Class<?> CONTAINERS = JdkFields.jdkClass("jdk.internal.vm.ThreadContainers");
    private static final Class<?> CONTAINER = JdkFields.jdkClass("jdk.internal.vm.ThreadContainer");
    private static final Method ROOT = JdkFields.method(CONTAINERS, "root");
    private static final Method THREADS = JdkFields.method(CONTAINER, "threads");
    private static final Method CHILDREN = JdkFields.method(CONTAINER, "children");
    private static final Field CARRIER = JdkFields.field(ThreadRegistry.virtualThreadClass(), "carrierThread");

    private Carriers() {}

    /** A virtual thread on a carrier: as a finding shows it, and the carrier's name. */
    static final class Mounted {
        final ThreadView thread;
        final String carrier;

        Mounted(ThreadView thread, String carrier) {
            this.thread = thread;
            this.carrier = carrier;
        }
    }

    /** The virtual threads mounted now, but {@code except}, at most {@code max}, each with {@code stackDepth} frames. */
    static List<Mounted> mounted(Thread except, int max, int stackDepth) {
        if (ROOT == null || THREADS == null || CHILDREN == null || CARRIER == null) return Collections.emptyList();
        List<Mounted> out = new ArrayList<>();
        try {
            Deque<Object> containers = new ArrayDeque<>();
            containers.add(ROOT.invoke(null));
            int visited = 0;
            while (!containers.isEmpty() && visited < MAX_VISITED && out.size() < max) {
                Object container = containers.poll();
                for (Iterator<?> it = ((Stream<?>) THREADS.invoke(container)).iterator();
                        it.hasNext() && visited < MAX_VISITED && out.size() < max; visited++) {
                    Thread t = (Thread) it.next();
                    if (t == except || !ThreadRegistry.isVirtual(t)) continue;
                    Thread carrier = (Thread) CARRIER.get(t);
                    if (carrier == null) continue;
                    out.add(new Mounted(new ThreadView(t, Thread.State.RUNNABLE.name(), null, null, ThreadView.Tie.LOCK,
                            0, Collections.emptyList(), ThreadView.stackOf(t, stackDepth)), carrier.getName()));
                }
                ((Stream<?>) CHILDREN.invoke(container)).forEach(containers::add);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            return out; // what was found before it failed still stands
        }
        return out;
    }
}
