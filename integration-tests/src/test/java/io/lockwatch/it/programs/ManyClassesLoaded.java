package io.lockwatch.it.programs;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Asks a class loader for {@code count} distinct class names, the way a large application loads its
 * classes. A parallel-capable loader locks a fresh object per name while it loads it
 * ({@code ClassLoader.getClassLoadingLock}), one that lives as long as the loader. Prints how many classes
 * it got. Arguments: [count, default 3,000, at most 9,999] [{@code own} (default), {@code system},
 * {@code hazard} or {@code jar}]:
 * <ul>
 *   <li>{@code own}: a parallel-capable loader of its own, whose parent is the boot loader, defines each
 *       class: copies of {@link GeneratedClass0000}, renamed in its class file ({@code java.lang.ClassLoader}'s
 *       {@code loadClass});</li>
 *   <li>{@code system}: the application class loader is asked for names it does not have, so it and the
 *       platform loader each lock their own object for the name ({@code BuiltinClassLoader}), and the
 *       {@code ClassNotFoundException} is caught.</li>
 *   <li>{@code hazard}: its own loader, whose {@code findClass} locks {@link #REGISTRY} (a registry of what it
 *       defined, as plug-in loaders keep), loads two classes on two threads at once, one of them asked for
 *       while the thread holds {@link #REGISTRY}. Had both asked for the same class, each could wait for the
 *       other's lock.</li>
 *   <li>{@code jar}: the copies are written to a jar first, and a {@link URLClassLoader} over it loads them
 *       while the thread holds {@link #REGISTRY}, as a service loads its classes from its jars under its own
 *       locks. The JDK then makes a {@code URL} and a {@code Resource} per class and locks both.</li>
 * </ul>
 */
public final class ManyClassesLoaded {
    /** What {@code hazard}'s loader locks while it defines a class. */
    public static final Object REGISTRY = new Object();

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 3_000;
        String mode = args.length > 1 ? args[1] : "own";
        Renaming loader = new Renaming(ManyClassesLoaded.class.getClassLoader(), mode.equals("hazard"));
        if (mode.equals("hazard")) {
            Thread underRegistry = new Thread(() -> {
                synchronized (REGISTRY) {
                    load(loader, 0);
                }
            }, "under-registry");
            Thread plain = new Thread(() -> load(loader, 1), "plain");
            underRegistry.start();
            plain.start();
            underRegistry.join();
            plain.join();
            System.out.println(2);
            return;
        }
        int got = 0;
        if (mode.equals("jar")) {
            Path jar = Files.createTempFile("many-classes", ".jar");
            try {
                try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
                    for (int i = 0; i < count; i++) {
                        out.putNextEntry(new JarEntry(loader.name(i).replace('.', '/') + ".class"));
                        out.write(loader.classFile(loader.name(i)));
                    }
                }
                try (URLClassLoader fromJar = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
                    synchronized (REGISTRY) {
                        for (int i = 0; i < count; i++) {
                            if (fromJar.loadClass(loader.name(i)).getClassLoader() == fromJar) got++;
                        }
                    }
                }
            } finally {
                Files.delete(jar);
            }
        } else if (mode.equals("system")) {
            for (int i = 0; i < count; i++) {
                try {
                    ClassLoader.getSystemClassLoader().loadClass(loader.name(i));
                    got++;
                } catch (ClassNotFoundException expected) {
                    // the system loader has none of them
                }
            }
        } else {
            for (int i = 0; i < count; i++) {
                if (loader.loadClass(loader.name(i)).getClassLoader() == loader) got++;
            }
        }
        System.out.println(got);
    }

    private static void load(Renaming loader, int i) {
        try {
            loader.loadClass(loader.name(i));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    static final class Renaming extends ClassLoader {
        static {
            registerAsParallelCapable();
        }

        private static final String TEMPLATE = GeneratedClass0000.class.getName();
        private static final String PREFIX = TEMPLATE.substring(0, TEMPLATE.length() - 4);
        private final String templateName = TEMPLATE.replace('.', '/');
        private final byte[] template;
        private final boolean locksRegistry;

        /** @param templates where to read the template's class file from; the loader's parent is the boot loader */
        Renaming(ClassLoader templates, boolean locksRegistry) throws IOException {
            super(null);
            this.locksRegistry = locksRegistry;
            try (InputStream in = templates.getResourceAsStream(templateName + ".class")) {
                template = in.readAllBytes();
            }
        }

        /** The i-th copy's name, {@code GeneratedClass0001} for 0: as long as the template's, so the class file keeps its shape. */
        String name(int i) {
            return PREFIX + String.format("%04d", i + 1);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (!name.startsWith(PREFIX) || name.length() != TEMPLATE.length()) {
                throw new ClassNotFoundException(name);
            }
            byte[] renamed = classFile(name);
            if (!locksRegistry) return defineClass(name, renamed, 0, renamed.length);
            synchronized (REGISTRY) {
                return defineClass(name, renamed, 0, renamed.length);
            }
        }

        /** The template's class file, renamed to {@code name} (one of {@link #name}'s). */
        byte[] classFile(String name) {
            return replaceAll(template, templateName.getBytes(StandardCharsets.UTF_8),
                    name.replace('.', '/').getBytes(StandardCharsets.UTF_8));
        }

        /** The class file with every occurrence of its internal name (the same length) replaced. */
        private static byte[] replaceAll(byte[] bytes, byte[] from, byte[] to) {
            byte[] out = bytes.clone();
            for (int i = 0; i + from.length <= out.length; i++) {
                int j = 0;
                while (j < from.length && out[i + j] == from[j]) j++;
                if (j == from.length) System.arraycopy(to, 0, out, i, to.length);
            }
            return out;
        }
    }
}
