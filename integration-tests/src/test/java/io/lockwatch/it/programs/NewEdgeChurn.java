package io.lockwatch.it.programs;

/**
 * Keeps the order check's slow paths busy: each round makes two fresh locks and nests them under and over
 * others, so every round brings new locks, new edges, and an edge into a lock that already has one (which
 * the detector searches for cycles). None of it is an inversion.
 *
 * <p>Argument: the number of rounds.
 */
public final class NewEdgeChurn {
    private static final Object hub = new Object();
    /** A few recent locks stay reachable, so the JIT cannot prove them thread-local and elide the locking. */
    private static final Object[] recent = new Object[1024];
    private static long counter;

    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        for (int i = 0; i < rounds; i++) {
            Object outer = new Object();
            Object inner = new Object();
            recent[i & 1023] = outer;
            synchronized (inner) {
                synchronized (hub) {
                    counter++;
                }
            }
            synchronized (outer) { // outer -> inner, and inner already leads to hub: a cycle search
                synchronized (inner) {
                    counter++;
                }
            }
        }
        System.out.println("done " + counter);
    }
}
