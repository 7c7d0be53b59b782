package io.lockwatch.it.programs;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * PrintStream.printf formats while it holds the stream's lock; the argument's toString() locks the
 * application's ledger. Another thread prints while holding the ledger.
 */
public final class PrintStreamInversion {
    static final Object LEDGER = new Object();

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(OutputStream.nullOutputStream());
        Object balance = new Object() {
            @Override
            public String toString() {
                synchronized (LEDGER) {
                    return "42";
                }
            }
        };
        Staggered.steps()
                .then("prints-under-ledger", () -> {
                    synchronized (LEDGER) {
                        out.println("closing the books");
                    }
                })
                .then("prints-a-balance", () -> out.printf("balance=%s%n", balance))
                .run();
        System.out.println("done");
    }
}
