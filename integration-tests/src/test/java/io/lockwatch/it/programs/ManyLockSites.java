package io.lockwatch.it.programs;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A service with 10,000 distinct lock sites: it loads the generated class {@code GeneratedSites} from the
 * folder given as first argument (so lockwatch instruments it like any application class), whose methods
 * try a lock at 10,000 different lines (see {@link #source}), and runs every site once (after the test
 * creates the file {@code go} in the working directory). Another thread holds the lock, so each site is
 * a contended timed {@code tryLock} that gives up after a nanosecond, so with {@code contention-threshold=0ms} each one is a wait
 * event of its own. Prints "waited N", lingers the given seconds so a test can scrape, prints "done".
 */
public final class ManyLockSites {
    public static final int METHODS = 100;
    public static final int SITES_PER_METHOD = 100;

    /** The Java source of GeneratedSites: one wait per line. */
    public static String source() {
        StringBuilder src = new StringBuilder("import java.util.concurrent.*;\nimport java.util.concurrent.locks.*;\n"
                + "public class GeneratedSites {\n");
        for (int m = 0; m < METHODS; m++) {
            src.append("  public static void m").append(m).append("(ReentrantLock l) throws Exception {\n");
            for (int s = 0; s < SITES_PER_METHOD; s++) {
                src.append("    l.tryLock(1, TimeUnit.NANOSECONDS);\n");
            }
            src.append("  }\n");
        }
        return src.append("}\n").toString();
    }

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]);
        long lingerSeconds = args.length > 1 ? Long.parseLong(args[1]) : 10;
        if (!Files.exists(dir.resolve("GeneratedSites.class"))) throw new IllegalStateException("no GeneratedSites in " + dir);
        // The test creates "go" once the agent's endpoint runs: waits before that are not what it measures.
        GoFile.await();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, ManyLockSites.class.getClassLoader())) {
            Class<?> generated = loader.loadClass("GeneratedSites");
            ReentrantLock held = new ReentrantLock();
            CountDownLatch taken = new CountDownLatch(1);
            Thread holder = new Thread(() -> {
                held.lock(); // and never lets go: every tryLock below waits for it, briefly
                taken.countDown();
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "holder");
            holder.setDaemon(true);
            holder.start();
            taken.await();
            for (int m = 0; m < METHODS; m++) {
                Method method = generated.getMethod("m" + m, ReentrantLock.class);
                method.invoke(null, held);
            }
        }
        System.out.println("waited " + METHODS * SITES_PER_METHOD);
        Thread.sleep(lingerSeconds * 1000);
        System.out.println("done");
    }
}
