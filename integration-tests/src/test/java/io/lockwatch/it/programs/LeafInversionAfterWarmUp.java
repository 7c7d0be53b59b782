package io.lockwatch.it.programs;

/**
 * An inversion through a leaf site that ran a hundred thousand times with nothing held first, so that the JIT
 * compiled it for "nothing held" alone (it profiles each leaf site on its own, see {@code LeafEntry}); then
 * two threads take A and B in opposite orders through that same site, each with the other lock held. The
 * check must still run: the compiled site gives way to one that does it.
 */
public final class LeafInversionAfterWarmUp {
    static final Object A = new Object();
    static final Object B = new Object();
    static long count;

    static void bump(Object lock) {
        synchronized (lock) {
            count++;
        }
    }

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < 100_000; i++) {
            bump(A);
            bump(B);
        }
        Staggered.steps()
                .then("first", () -> {
                    synchronized (A) {
                        bump(B);
                    }
                })
                .then("second", () -> {
                    synchronized (B) {
                        bump(A);
                    }
                })
                .run();
        System.out.println("done");
    }
}
