package io.lockwatch.it.programs;

import java.io.StringWriter;
import org.apache.log4j.Logger;
import org.apache.log4j.PatternLayout;
import org.apache.log4j.WriterAppender;

/**
 * The log4j 1.2 inversion: Category.callAppenders locks the category and the synchronized
 * AppenderSkeleton.doAppend locks the appender while the layout renders the message, whose toString()
 * locks the application's ledger. Another thread logs while holding the ledger.
 */
public final class Log4jInversion {
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
        logger.setAdditivity(false);
        logger.addAppender(new WriterAppender(new PatternLayout("%m%n"), new StringWriter()));
        Staggered.steps()
                .then("logs-under-ledger", () -> {
                    synchronized (LEDGER) {
                        logger.info("closing the books");
                    }
                })
                .then("logs-a-balance", () -> logger.info(new Balance()))
                .run();
        System.out.println("done");
    }
}
