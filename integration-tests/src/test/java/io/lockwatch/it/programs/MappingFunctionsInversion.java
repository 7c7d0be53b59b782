package io.lockwatch.it.programs;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Two mapping functions of one cache take A and B in opposite orders, for two keys in different bins: each
 * thread holds its own bin, so they can deadlock. lockwatch tracks the map's bins as one lock, which both
 * threads hold here; it must not take it for a gate (a lock both would need at once). With argument
 * "gated" both functions also take a real gate lock G around A and B: then they cannot deadlock.
 */
public final class MappingFunctionsInversion {
    static final Object G = new Object();
    static final Object A = new Object();
    static final Object B = new Object();

    public static void main(String[] args) throws Exception {
        boolean gated = args.length > 0 && args[0].equals("gated");
        ConcurrentHashMap<String, Integer> cache = new ConcurrentHashMap<>();
        Staggered.steps()
                .then("loads-a", () -> cache.computeIfAbsent("Aa", key -> inGate(gated, A, B)))
                .then("loads-z", () -> cache.computeIfAbsent("zy", key -> inGate(gated, B, A)))
                .run();
        System.out.println(cache.size());
    }

    static int inGate(boolean gated, Object first, Object second) {
        if (!gated) return nested(first, second);
        synchronized (G) {
            return nested(first, second);
        }
    }

    static int nested(Object first, Object second) {
        synchronized (first) {
            synchronized (second) {
                return 1;
            }
        }
    }
}
