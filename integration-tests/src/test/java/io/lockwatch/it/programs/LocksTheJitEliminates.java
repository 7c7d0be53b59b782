package io.lockwatch.it.programs;

/**
 * A lock that never leaves its thread: an object made and locked inside one method. C2 proves that no other
 * thread can see it, and then neither allocates the object nor takes its lock. The program first takes
 * every path of lockwatch's shared code at other sites (a leaf on a fresh object under a held lock, so the
 * full order check runs; releases while something is held), as a real program soon does; then it calls the
 * method in rounds of a million and prints, for each round, the bytes the thread allocated per call, until
 * a round allocates nothing (at most {@link #ROUNDS}). Allocated bytes, not time: a count that is exactly
 * 0 when the JIT removed the object, and 16 per call when it had to keep it.
 */
public final class LocksTheJitEliminates {
    static final int ROUNDS = 20;
    static final int CALLS = 1_000_000;
    static final Object HELD = new Object();
    static long counter;

    /** The method under test: a leaf block (nothing called inside) on a lock of its own. */
    static void lockLocally() {
        Object local = new Object();
        synchronized (local) {
            counter++;
        }
    }

    static void leafOn(Object lock) {
        synchronized (lock) {
            counter++;
        }
    }

    static void takeTheSharedPaths() {
        synchronized (HELD) {
            leafOn(new Object()); // a new pair of locks each time: the full order check
            leafOn(HELD); // a re-entry
        }
        leafOn(HELD);
    }

    public static void main(String[] args) {
        for (int i = 0; i < 100_000; i++) takeTheSharedPaths();
        for (int i = 0; i < 5 * CALLS; i++) lockLocally();
        for (int round = 1; round <= ROUNDS; round++) {
            long before = AllocatedBytes.ofThisThread();
            for (int i = 0; i < CALLS; i++) lockLocally();
            long allocated = AllocatedBytes.ofThisThread() - before;
            System.out.println("round " + round + ": " + (double) allocated / CALLS + " bytes per call");
            if (allocated == 0) break;
        }
        System.out.println("counter " + counter);
    }
}
