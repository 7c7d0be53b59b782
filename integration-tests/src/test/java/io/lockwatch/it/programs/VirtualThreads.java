package io.lockwatch.it.programs;

import java.lang.reflect.Method;

/** Virtual threads (JDK 21 and later), reached by reflection so that the programs compile for JDK 17. */
final class VirtualThreads {
    private VirtualThreads() {}

    /** An unstarted virtual thread: {@code Thread.ofVirtual().unstarted(task)}. */
    static Thread unstarted(Runnable task) throws ReflectiveOperationException {
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        Method unstarted = Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class);
        return (Thread) unstarted.invoke(builder, task);
    }
}
