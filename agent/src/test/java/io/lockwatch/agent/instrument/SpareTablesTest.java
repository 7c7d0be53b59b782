package io.lockwatch.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** The transformer's spare tables go to the next caller, once, and a garbage collection takes them back. */
class SpareTablesTest {
    private static final class Tables extends SpareTables.Kept<Tables> {
        final int[] entries = new int[4096];
    }

    @Test
    void aKeptSetGoesToTheNextCallerOnce() {
        SpareTables<Tables> spare = new SpareTables<>();
        assertNull(spare.take());
        Tables tables = new Tables();
        spare.keep(tables);
        assertSame(tables, spare.take());
        assertNull(spare.take(), "taken: the caller's alone");
    }

    @Test
    void aCollectionTakesBackASetNobodyUses() throws InterruptedException {
        SpareTables<Tables> spare = new SpareTables<>();
        spare.keep(new Tables());
        Tables taken = null;
        for (int i = 0; i < 50; i++) { // System.gc() is a request; a full collection clears weak references
            System.gc();
            taken = spare.take();
            if (taken == null) break;
            spare.keep(taken);
            taken = null;
            Thread.sleep(10);
        }
        assertNull(taken, "kept strongly: the tables would be live data of the host from its start on");
    }
}
