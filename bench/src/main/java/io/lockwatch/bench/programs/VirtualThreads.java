package io.lockwatch.bench.programs;

import java.lang.reflect.Method;
import java.util.concurrent.ThreadFactory;

/** Virtual threads for the programs, which compile for JDK 17: by reflection, and platform threads before JDK 21. */
final class VirtualThreads {
    private VirtualThreads() {}

    /** {@code Thread.ofVirtual().factory()}; null before JDK 21. */
    static ThreadFactory factory() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Method factory = Class.forName("java.lang.Thread$Builder").getMethod("factory");
            return (ThreadFactory) factory.invoke(builder);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** {@link #factory()}, or before JDK 21 platform threads, which the program's output then says. */
    static ThreadFactory factoryOrPlatform() {
        ThreadFactory factory = factory();
        if (factory != null) return factory;
        Metrics.warn("no virtual threads before JDK 21: platform threads, a hundredth as many");
        return Thread::new;
    }

    /** How many threads to start: {@code count}, or a hundredth of it where they are platform threads. */
    static int scaled(int count) {
        return factory() != null ? count : Math.max(1, count / 100);
    }
}
