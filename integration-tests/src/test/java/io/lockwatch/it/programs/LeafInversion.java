package io.lockwatch.it.programs;

/**
 * An inversion whose inner locks are leaf critical sections, which lockwatch checks without putting them on
 * the held stack: a synchronized method that only updates its own field, and a synchronized block that only
 * updates a static field. The first thread takes A (and re-enters it in a leaf), then the counter's monitor
 * (in {@code increment}); the second takes the counter's monitor, then A (a leaf block).
 */
public final class LeafInversion {
    static final Object A = new Object();
    static long count;

    static final class Counter {
        private long value;

        synchronized void increment() {
            value++;
        }
    }

    public static void main(String[] args) throws Exception {
        Counter counter = new Counter();
        Staggered.steps()
                .then("first", () -> {
                    synchronized (A) {
                        // A leaf re-entry first: its release must take off one hold, not A itself, or the
                        // edge A -> counter below would be lost.
                        synchronized (A) {
                            count++;
                        }
                        counter.increment();
                    }
                })
                .then("second", () -> {
                    synchronized (counter) {
                        synchronized (A) {
                            count++;
                        }
                    }
                })
                .run();
        System.out.println("done");
    }
}
