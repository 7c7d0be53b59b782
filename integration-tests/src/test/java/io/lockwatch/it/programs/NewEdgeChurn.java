package io.lockwatch.it.programs;

/**
 * Keeps the order check's slow paths busy: each round makes two fresh locks and nests them under and over
 * others, so every round brings new locks, new edges, and an edge into a lock that already has one (which
 * the detector searches for cycles). None of it is an inversion.
 *
 * <p>Two threads do it side by side, and each also takes the other's latest fresh locks: a lock that one
 * thread alone has used is never searched (no deadlock can pass through it), so the searches come from the
 * locks that both threads take, under the hub, which leads on to another lock.
 *
 * <p>Argument: the number of rounds, shared between the two threads.
 */
public final class NewEdgeChurn {
    private static final Object hub = new Object();
    private static final Object beyondHub = new Object();
    /**
     * Each thread's recent locks, by round, at even (main) and odd (the second thread) places. They stay
     * reachable, so the JIT cannot prove them thread-local and elide the locking; and the other thread takes them.
     */
    private static final Object[] recent = new Object[2048];
    private static volatile long counter;

    public static void main(String[] args) throws InterruptedException {
        int rounds = Integer.parseInt(args[0]);
        Thread second = new Thread(() -> churn(rounds / 2, 1), "churn-second");
        second.start();
        churn(rounds - rounds / 2, 0);
        second.join();
        System.out.println("done " + counter);
    }

    private static void churn(int rounds, int side) {
        synchronized (hub) {
            synchronized (beyondHub) { // the hub leads on (both threads: an edge they both take): an edge into it is searched
                counter++;
            }
        }
        for (int i = 0; i < rounds; i++) {
            Object outer = new Object();
            Object inner = new Object();
            int place = (i & 1023) * 2;
            recent[place + side] = outer;
            synchronized (inner) {
                synchronized (hub) {
                    counter++;
                }
            }
            synchronized (outer) { // outer -> inner, and inner already leads to hub
                synchronized (inner) {
                    counter++;
                }
            }
            Object theirs = recent[place + 1 - side]; // a lock the other thread made and took: now both have
            if (theirs != null) {
                synchronized (theirs) { // theirs -> hub, and hub leads on: a cycle search
                    synchronized (hub) {
                        counter++;
                    }
                }
            }
        }
    }
}
