package io.lockwatch.agent.instrument;

import io.lockwatch.runtime.config.Options;
import io.lockwatch.runtime.stats.AgentStats;
import io.lockwatch.runtime.track.LockTracker;
import io.lockwatch.runtime.util.InternalErrors;
import io.lockwatch.runtime.util.Log;
import java.lang.instrument.Instrumentation;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * The safety net of {@link JdkLockClasses} on a JDK build its lists were not read off: reads the class files
 * of the early JDK classes that the list covers but does not name, and retransforms any that takes a lock.
 * It runs on lockwatch's own thread, a second after {@code premain}: reading 700 class files costs a cold
 * JVM about 100 ms of CPU and the compiler threads' work besides, which a program that is done within its
 * first second should not pay, nor a service while it starts. Usually it finds nothing; what it finds (an
 * update that added a lock, a release without a list of its own) is tracked from then on, counted in the
 * report's {@code classesFoundLate} and named in one line on stderr, so that the list can be brought up to date.
 */
final class UnlistedClassCheck implements Runnable {
    /** How many of the classes found the stderr line names; the count says the rest. */
    private static final int NAMED = 5;
    private static final long DELAY_NANOS = 1_000_000_000L;

    private final Instrumentation inst;
    private final Options options;
    /** The classes loaded before the agent; which of them the list does not name is worked out on the check's own thread. */
    private final Class<?>[] loaded;
    private final JdkLockClasses list;

    private UnlistedClassCheck(Instrumentation inst, Options options, Class<?>[] loaded, JdkLockClasses list) {
        this.inst = inst;
        this.options = options;
        this.loaded = loaded;
        this.list = list;
    }

    /** Starts the check of the early classes {@code list} covers but does not name; without a thread, here and now. */
    static void start(Instrumentation inst, Options options, Class<?>[] loaded, JdkLockClasses list) {
        UnlistedClassCheck check = new UnlistedClassCheck(inst, options, loaded, list);
        Thread thread = new Thread(check, "lockwatch-unlisted-check");
        thread.setDaemon(true);
        try {
            thread.start();
        } catch (Throwable e) {
            check.check();
        }
    }

    @Override
    public void run() {
        LockTracker.ignoreCurrentThread(); // lockwatch's own thread
        long until = System.nanoTime() + DELAY_NANOS;
        for (long left = DELAY_NANOS; left > 0; left = until - System.nanoTime()) LockSupport.parkNanos(left);
        check();
    }

    private void check() {
        try {
            Class<?>[] found = takeLocks();
            if (found.length == 0) return;
            AgentStats.classesFoundLate.addAndGet(found.length);
            Instrumenter.retransformInOneCall(inst, found);
            Log.info(describe(found));
        } catch (Throwable e) {
            InternalErrors.record("late check of early JDK classes", e);
        }
    }

    /** The unlisted early classes whose class file the transformer would rewrite, or that cannot be read. */
    private Class<?>[] takeLocks() {
        Class<?>[] found = new Class<?>[loaded.length];
        int count = 0;
        LockTracker.enterAgentCode();
        try {
            for (Class<?> type : loaded) {
                if (!Instrumenter.retransformable(inst, options, type) || !JdkLockClasses.covers(type)
                        || list.names(type.getName())) {
                    continue;
                }
                byte[] classFile = Instrumenter.classFile(type);
                if (classFile == null || LockSiteScanner.takesLocks(classFile)) found[count++] = type;
            }
        } finally {
            LockTracker.exitAgentCode();
        }
        return Arrays.copyOf(found, count);
    }

    private static String describe(Class<?>[] found) {
        StringBuilder line = new StringBuilder("early JDK classes that take a lock but are not in the agent's list for JDK ")
                .append(JdkLockClasses.runningRelease()).append(" (made on another build): ");
        for (int i = 0; i < Math.min(NAMED, found.length); i++) {
            if (i > 0) line.append(", ");
            line.append(found[i].getName());
        }
        if (found.length > NAMED) line.append(", ...");
        return line.append(" (").append(found.length).append(" in all); retransformed now, their locks are tracked from here on")
                .toString();
    }
}
