package io.lockwatch.it.programs;

/** A -> B, B -> C, C -> A across three threads: no two of them invert, all three do. */
public final class ThreeLockCycle {
    static final class Fork {}

    static final Fork A = new Fork();
    static final Fork B = new Fork();
    static final Fork C = new Fork();

    static void pickUp(Fork left, Fork right) {
        synchronized (left) {
            synchronized (right) {
                Thread.onSpinWait();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Staggered.steps()
                .then("philosopher-1", () -> pickUp(A, B))
                .then("philosopher-2", () -> pickUp(B, C))
                .then("philosopher-3", () -> pickUp(C, A))
                .run();
        System.out.println("done");
    }
}
