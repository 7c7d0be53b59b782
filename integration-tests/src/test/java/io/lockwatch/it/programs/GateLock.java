package io.lockwatch.it.programs;

/**
 * Both threads take A and B in opposite orders, but always inside one common gate lock G, so they can never
 * interleave there: no deadlock. With argument "ungated" the second thread skips the gate: a real inversion.
 */
public final class GateLock {
    static final Object G = new Object();
    static final Object A = new Object();
    static final Object B = new Object();

    public static void main(String[] args) throws Exception {
        boolean gated = !(args.length > 0 && args[0].equals("ungated"));
        Staggered.steps()
                .then("gated-ab", () -> {
                    synchronized (G) {
                        synchronized (A) {
                            synchronized (B) {
                                Thread.onSpinWait();
                            }
                        }
                    }
                })
                .then(gated ? "gated-ba" : "ungated-ba", () -> {
                    if (gated) {
                        synchronized (G) {
                            takeBThenA();
                        }
                    } else {
                        takeBThenA();
                    }
                })
                .run();
        System.out.println("done");
    }

    static void takeBThenA() {
        synchronized (B) {
            synchronized (A) {
                Thread.onSpinWait();
            }
        }
    }
}
