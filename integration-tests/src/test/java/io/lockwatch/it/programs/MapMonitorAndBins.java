package io.lockwatch.it.programs;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A map's own monitor and its bins are different locks: one thread holds the map's monitor and then the
 * ledger, another holds the ledger and then locks a bin of the map (a put into a bin that has an entry
 * already: "Aa" and "BB" share a hash). No two of these can deadlock, so lockwatch, which tracks the bins
 * of a map as one lock, must not mistake them for the map's monitor. Arguments: none.
 */
public final class MapMonitorAndBins {
    public static void main(String[] args) throws Exception {
        Object ledger = new Object();
        ConcurrentHashMap<String, Integer> map = new ConcurrentHashMap<>();
        Staggered.steps()
                .then("monitor-first", () -> {
                    synchronized (map) {
                        synchronized (ledger) {
                            map.size();
                        }
                    }
                })
                .then("ledger-first", () -> {
                    synchronized (ledger) {
                        map.put("Aa", 1);
                        map.put("BB", 2);
                    }
                })
                .run();
        System.out.println(map.size());
    }
}
