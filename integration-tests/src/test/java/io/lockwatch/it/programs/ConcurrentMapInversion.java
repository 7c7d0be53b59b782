package io.lockwatch.it.programs;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A cache whose mapping function takes the ledger's lock, and a writer that puts into the cache while it
 * holds the ledger. The two keys land in different bins, so this run could not deadlock; any two keys
 * that share a bin would. lockwatch tracks a map's bins as one lock, so it must report the inversion.
 *
 * <p>The writer's two keys, "Aa" and "BB", have the same hash: the second put finds the first in its bin
 * and locks the bin (a put into an empty bin takes no lock). The loader's key, "zy", falls in another bin
 * of the map's 16 (hash 3903 against 2112). Arguments: none.
 */
public final class ConcurrentMapInversion {
    public static void main(String[] args) throws Exception {
        Object ledger = new Object();
        ConcurrentHashMap<String, Integer> cache = new ConcurrentHashMap<>();
        cache.put("warm-up", 0); // loads what a put needs before the ledger is held
        cache.remove("warm-up");
        Staggered.steps()
                .then("writer", () -> {
                    synchronized (ledger) {
                        cache.put("Aa", 1);
                        cache.put("BB", 2);
                    }
                })
                .then("loader", () -> cache.computeIfAbsent("zy", key -> {
                    synchronized (ledger) {
                        return 3;
                    }
                }))
                .run();
        System.out.println(cache.size());
    }
}
