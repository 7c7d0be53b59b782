package io.lockwatch.runtime.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Sites are numbered as classes are instrumented, on any thread, and described again from their number. */
class CallSitesTest {
    @Test
    void everySiteIsDescribedAsRegisteredAcrossTheTablesGrowth() throws InterruptedException {
        int perThread = 3000; // past the first table's 1,024 sites, from two threads at once
        int[][] ids = new int[2][perThread];
        CountDownLatch go = new CountDownLatch(1);
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            int thread = t;
            threads[t] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                String className = "Sites" + thread;
                String fileName = className + ".java";
                for (int i = 0; i < perThread; i++) {
                    ids[thread][i] = CallSites.register(className, "method" + (i % 7), fileName, i + 1);
                }
            });
            threads[t].start();
        }
        go.countDown();
        for (Thread thread : threads) thread.join();

        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < perThread; i++) {
                StackTraceElement site = CallSites.site(ids[t][i]);
                assertEquals("Sites" + t, site.getClassName(), "site " + ids[t][i]);
                assertEquals("method" + (i % 7), site.getMethodName());
                assertEquals("Sites" + t + ".java", site.getFileName());
                assertEquals(i + 1, site.getLineNumber());
            }
        }
    }

    @Test
    void unknownNumbersHaveNoSite() {
        assertNull(CallSites.site(CallSites.UNKNOWN));
        assertNull(CallSites.site(-1));
        assertNull(CallSites.site(Integer.MAX_VALUE));
    }
}
