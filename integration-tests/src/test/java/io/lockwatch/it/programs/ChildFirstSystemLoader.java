package io.lockwatch.it.programs;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;

/**
 * A system class loader ({@code -Djava.system.class.loader}) that looks in its own class path before it asks
 * its parent, as some containers' loaders do. The JVM puts a {@code -javaagent} jar on the system class
 * path, so this loader finds its own copy of every lockwatch class there.
 */
public final class ChildFirstSystemLoader extends URLClassLoader {
    static {
        ClassLoader.registerAsParallelCapable();
    }

    public ChildFirstSystemLoader(ClassLoader parent) {
        super(classPath(), parent);
    }

    private static URL[] classPath() {
        String[] entries = System.getProperty("java.class.path").split(File.pathSeparator);
        URL[] urls = new URL[entries.length];
        try {
            for (int i = 0; i < entries.length; i++) urls[i] = new File(entries[i]).toURI().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
        return urls;
    }

    /** Called by the JVM for the {@code -javaagent} jar when the system class loader is not the JDK's own. */
    void appendToClassPathForInstrumentation(String path) throws MalformedURLException {
        addURL(new File(path).toURI().toURL());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> type = findLoadedClass(name);
            if (type == null && !name.startsWith("java.") && !name.startsWith("javax.") && !name.startsWith("jdk.")
                    && !name.startsWith("sun.")) {
                try {
                    type = findClass(name);
                } catch (ClassNotFoundException e) {
                    // not on this loader's class path: the parent's
                }
            }
            if (type == null) type = super.loadClass(name, false);
            if (resolve) resolveClass(type);
            return type;
        }
    }
}
