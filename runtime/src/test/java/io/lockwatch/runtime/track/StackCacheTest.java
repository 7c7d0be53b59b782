package io.lockwatch.runtime.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.runtime.graph.LockOrderGraph;
import io.lockwatch.runtime.graph.Occurrence;
import org.junit.jupiter.api.Test;

/**
 * Two pairs of sites that fall on the same slots keep their stacks both: a thread that uses them in turn
 * walks each pair's stack once. (Direct-mapped, a file channel's two pairs of locks did this on some runs and
 * walked two stacks on every {@code Files.readString}: twenty-seventh round.)
 */
class StackCacheTest {
    private static final StackTraceElement[] STACK = {new StackTraceElement("C", "m", "C.java", 1)};

    /** Two pairs of registered sites whose keys share their slots. */
    private static int[][] twoPairsOnTheSameSlots(String name) {
        int held = CallSites.register(name, "held", name + ".java", 1);
        int first = CallSites.register(name, "first", name + ".java", 2);
        long firstKey = StackCache.key(held, first);
        for (int line = 3; ; line++) {
            int other = CallSites.register(name, "other", name + ".java", line);
            if (StackCache.set(StackCache.key(held, other)) == StackCache.set(firstKey)) {
                return new int[][] {{held, first}, {held, other}};
            }
        }
    }

    @Test
    void twoKeysOnTheSameSlotsAreBothKept() {
        int[][] pairs = twoPairsOnTheSameSlots("Slots");
        long a = StackCache.key(pairs[0][0], pairs[0][1]);
        long b = StackCache.key(pairs[1][0], pairs[1][1]);
        StackCache cache = new StackCache();
        StackTraceElement[] aStack = STACK.clone();
        StackTraceElement[] bStack = STACK.clone();
        cache.put(a, aStack, aStack);
        cache.put(b, bStack, bStack);
        assertSame(aStack, cache.held(a));
        assertSame(bStack, cache.held(b));
        cache.put(a, aStack, aStack); // again: still both
        assertSame(aStack, cache.taken(a));
        assertSame(bStack, cache.taken(b));
    }

    @Test
    void aThreadUsingTwoSuchPairsInTurnWalksEachStackOnce() {
        int[][] pairs = twoPairsOnTheSameSlots("InTurn");
        LockOrderGraph graph = new LockOrderGraph(finding -> { });
        ThreadState thread = new ThreadState(Thread.currentThread());
        Object held = new Object();
        long before = StackCapture.walks.get();
        for (int i = 0; i < 50; i++) {
            for (int[] pair : pairs) {
                Object fresh = new Object(); // a new edge each time, as a channel's fresh locks are
                assertTrue(thread.acquiring(graph, held, held, Occurrence.EXCLUSIVE, pair[0], false, 16));
                assertTrue(thread.acquiring(graph, fresh, fresh, Occurrence.EXCLUSIVE, pair[1], false, 16));
                thread.released(fresh);
                thread.released(held);
                assertNotNull(graph.node(fresh, "Fresh"));
            }
        }
        assertEquals(2, StackCapture.walks.get() - before, "one stack per pair of sites");
    }

    /**
     * The cache starts small (most threads use a few pairs of sites) and grows as a thread uses more: what it
     * held before growing, it holds after.
     */
    @Test
    void whatTheCacheHeldBeforeItGrewItHoldsAfter() {
        StackCache cache = new StackCache();
        java.util.List<Long> keys = new java.util.ArrayList<>();
        java.util.Set<Integer> sets = new java.util.HashSet<>();
        for (int site = 1; keys.size() < 8; site++) { // eight pairs in eight sets of the first 16 slots
            long key = StackCache.key(1, site);
            if (sets.add(StackCache.set(key, 16))) keys.add(key);
        }
        StackTraceElement[][] stacks = new StackTraceElement[keys.size()][];
        for (int i = 0; i < keys.size(); i++) {
            stacks[i] = STACK.clone();
            cache.put(keys.get(i), stacks[i], stacks[i]);
        }
        StackTraceElement[] ninth = STACK.clone();
        cache.put(StackCache.key(2, 1), ninth, ninth); // past half the slots: the cache grows
        for (int i = 0; i < keys.size(); i++) assertSame(stacks[i], cache.held(keys.get(i)), "pair " + i);
        assertSame(ninth, cache.taken(StackCache.key(2, 1)));
        for (int site = 100; site < 400; site++) cache.put(StackCache.key(3, site), STACK, STACK);
        assertSame(STACK, cache.held(StackCache.key(3, 399)), "the latest pair, at the largest size");
    }
}
