package io.lockwatch.runtime.util;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * The JDK's private classes, fields and methods that the hang searches (and the thread registry) read (a pool's workers, a future's waiters, a virtual
 * thread's termination latch), looked up once: the agent opens their packages to lockwatch at start-up. Each lookup
 * gives null when this JDK has no such class or field, or it is not open, and the search that needs it then finds
 * nothing: missed, never invented.
 */
public final class JdkFields {
    private JdkFields() {}

    /** A class of the JDK's by name (not initialized), or null when this JDK has none. */
    public static Class<?> jdkClass(String name) {
        try {
            return Class.forName(name, false, null);
        } catch (ClassNotFoundException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** The method (of no parameters) made accessible, or null when {@code owner} is null, or it does not exist or is not open. */
    public static Method method(Class<?> owner, String name) {
        if (owner == null) return null;
        try {
            Method m = owner.getDeclaredMethod(name);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** The field made accessible, or null when {@code owner} is null, or the field does not exist or is not open. */
    public static Field field(Class<?> owner, String name) {
        if (owner == null) return null;
        try {
            Field f = owner.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
