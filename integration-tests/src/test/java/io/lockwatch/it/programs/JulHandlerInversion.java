package io.lockwatch.it.programs;

import java.io.OutputStream;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

/**
 * java.util.logging: a handler formats the message while it holds its lock, and the message's parameter
 * locks the application's ledger in toString(). Another thread logs while holding the ledger.
 */
public final class JulHandlerInversion {
    static final Object LEDGER = new Object();

    static final class Balance {
        @Override
        public String toString() {
            synchronized (LEDGER) {
                return "balance=42";
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Logger logger = Logger.getLogger("ledger");
        logger.setUseParentHandlers(false);
        logger.addHandler(new StreamHandler(OutputStream.nullOutputStream(), new SimpleFormatter()));
        Staggered.steps()
                .then("logs-under-ledger", () -> {
                    synchronized (LEDGER) {
                        logger.info("closing the books");
                    }
                })
                .then("logs-a-balance", () -> logger.log(Level.INFO, "{0}", new Balance()))
                .run();
        System.out.println("done");
    }
}
