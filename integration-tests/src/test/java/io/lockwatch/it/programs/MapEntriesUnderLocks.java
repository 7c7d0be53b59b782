package io.lockwatch.it.programs;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A database's way with maps: under its connection's and its session's locks, each of 4 threads puts
 * {@code entries} keys into one shared map and removes them again, locking thousands of bins (every put
 * or remove into a bin that has an entry already, and every bin that a resize moves). Arguments:
 * [entries per thread, default 50,000].
 */
public final class MapEntriesUnderLocks {
    public static void main(String[] args) throws Exception {
        int entries = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        ConcurrentHashMap<Integer, Integer> map = new ConcurrentHashMap<>();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int first = t * entries;
            threads[t] = new Thread(() -> {
                Object connection = new Object();
                Object session = new Object();
                for (int i = first; i < first + entries; i++) {
                    synchronized (connection) {
                        synchronized (session) {
                            map.put(i, i);
                        }
                    }
                }
                for (int i = first; i < first + entries; i++) {
                    synchronized (connection) {
                        synchronized (session) {
                            map.remove(i);
                        }
                    }
                }
            }, "session-" + t);
            threads[t].start();
        }
        for (Thread thread : threads) thread.join();
        System.out.println(map.size());
    }
}
