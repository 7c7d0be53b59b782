package io.lockwatch.it.programs;

import java.lang.reflect.Method;
import java.util.concurrent.ThreadFactory;

/** Virtual threads (JDK 21 and later), reached by reflection so that the programs compile for JDK 17. */
final class VirtualThreads {
    private VirtualThreads() {}

    /** An unstarted virtual thread: {@code Thread.ofVirtual().unstarted(task)}. */
    static Thread unstarted(Runnable task) throws ReflectiveOperationException {
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        Method unstarted = Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class);
        return (Thread) unstarted.invoke(builder, task);
    }

    /** An unstarted thread: a virtual one if {@code virtual}, else a platform one. */
    static Thread unstarted(boolean virtual, Runnable task) throws ReflectiveOperationException {
        return virtual ? unstarted(task) : new Thread(task);
    }

    /** An unstarted thread named {@code name}: a virtual one if {@code virtual}, else a platform one. */
    static Thread unstarted(String name, boolean virtual, Runnable task) throws ReflectiveOperationException {
        Thread thread = unstarted(virtual, task);
        thread.setName(name);
        return thread;
    }

    /** A thread-safe factory of virtual threads: {@code Thread.ofVirtual().factory()}. */
    static ThreadFactory factory() throws ReflectiveOperationException {
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        return (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
    }
}
