package io.lockwatch.it.programs;

/**
 * Starts a thread per task, as a service without a pool does, {@code count} in all, 100 at a time, each joined;
 * every task takes the same two monitors, nested. Then prints the heap in use after full collections, in MiB,
 * so that a test can see what lockwatch keeps for threads long gone. Arguments: count, and {@code virtual} for
 * virtual threads (JDK 21 and later).
 */
public final class ThreadPerTask {
    private static final Object OUTER = new Object();
    private static final Object INNER = new Object();
    private static int sum;

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        boolean virtual = args.length > 1 && args[1].equals("virtual");
        Runnable task = () -> {
            synchronized (OUTER) {
                synchronized (INNER) {
                    sum++;
                }
            }
        };
        Thread[] batch = new Thread[100];
        for (int started = 0; started < count; started += batch.length) {
            for (int i = 0; i < batch.length; i++) {
                batch[i] = VirtualThreads.unstarted(virtual, task);
                batch[i].start();
            }
            for (Thread t : batch) t.join();
        }
        synchronized (OUTER) {
            System.out.println("tasks " + sum);
        }
        HeapInUse.printAfterFullCollections();
    }
}
