package io.lockwatch.it.programs;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Virtual threads come and go as fast as two platform threads can start them (each ends at once), for
 * {@code args[0]} milliseconds (with {@code args[1]} = {@code go}: and then until the test's "go", so that a test
 * scraping it meanwhile never finds it gone, however slow the machine); their carriers mount and unmount all the
 * time. Prints "churning" once they run, and at the end "done" and whether any ran.
 *
 * <p>With {@code args[1]} = {@code ask}, the main thread meanwhile asks the JVM for a snapshot of the threads
 * that lockwatch asks about ({@code PlatformThreads.safeToSnapshot}, in the agent's jar on the boot class
 * path) as fast as it can, and prints how often: HotSpot 25 (before the fix of JDK-8392031) can crash in that call when it includes a
 * carrier that is mounting a virtual thread (JDK-8392031). The detector asks a few times a second, which makes
 * a crash a matter of days; at full speed a carrier in the list crashes this program in seconds.
 */
public final class VirtualThreadChurn {
    private static volatile boolean churning = true;

    public static void main(String[] args) throws Exception {
        long end = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000L;
        String then = args.length > 1 ? args[1] : "";
        ThreadFactory virtual = VirtualThreads.factory();
        AtomicLong ran = new AtomicLong();
        Thread[] starters = new Thread[2];
        for (int s = 0; s < starters.length; s++) {
            starters[s] = new Thread(() -> {
                while (churning) virtual.newThread(ran::incrementAndGet).start();
            }, "starter-" + s);
            starters[s].start();
        }
        System.out.println("churning");
        if (then.equals("ask")) System.out.println("asked " + askUntil(end) + " times");
        for (long left; (left = end - System.nanoTime()) > 0; ) Thread.sleep(Math.max(1, left / 1_000_000));
        if (then.equals("go")) GoFile.await();
        churning = false;
        for (Thread s : starters) s.join();
        System.out.println("done " + (ran.get() > 0));
    }

    private static long askUntil(long end) throws ReflectiveOperationException {
        Method safeToSnapshot = Class.forName("io.lockwatch.runtime.util.PlatformThreads")
                .getMethod("safeToSnapshot", ThreadMXBean.class, Set.class);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long asked = 0;
        while (System.nanoTime() < end) {
            threads.getThreadInfo((long[]) safeToSnapshot.invoke(null, threads, Collections.emptySet()), 0);
            asked++;
        }
        return asked;
    }
}
