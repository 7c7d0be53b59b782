package io.lockwatch.it.programs;

/**
 * ABBA through two nests: each thread's outer block takes nothing but a leaf block inside it, so lockwatch
 * pushes neither lock and hands the outer one to the inner one's order check. The first thread takes its
 * pair first while it holds C (taken in another method): the only A -> B there is comes from the check that
 * puts the nest's lock on the stack beside C.
 */
public final class NestInversion {
    static final Object A = new Object();
    static final Object B = new Object();
    static final Object C = new Object();
    static long count;

    static void nestAB() {
        synchronized (A) {
            synchronized (B) {
                count++;
            }
        }
    }

    static void nestBA() {
        synchronized (B) {
            synchronized (A) {
                count++;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Staggered.steps()
                .then("first", () -> {
                    synchronized (C) {
                        nestAB(); // C held: A -> B is checked with both on the stack, and only here
                        work();
                    }
                    for (int i = 0; i < 1000; i++) nestAB(); // nothing else held: the remembered pair
                })
                .then("second", NestInversion::nestBA)
                .run();
        System.out.println("done");
    }

    static void work() {}
}
