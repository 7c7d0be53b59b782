package io.lockwatch.it.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Jars of the test programs' class files, for the tests that run a program as services ship one: from a jar. */
public final class ProgramJars {
    private ProgramJars() {}

    /** The class files of a test program and its nested classes, by their path in a jar. */
    public static Map<String, byte[]> classesOf(Class<?> program) throws IOException {
        String path = program.getName().replace('.', '/');
        Path folder = ChildJvm.programClasses().resolve(path).getParent();
        Map<String, byte[]> classes = new LinkedHashMap<>();
        String simple = program.getSimpleName();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, simple + "{.class,$*.class}")) {
            for (Path f : files) {
                String name = path.substring(0, path.lastIndexOf('/') + 1) + f.getFileName();
                classes.put(name, Files.readAllBytes(f));
            }
        }
        return classes;
    }

    /** A plain jar of these entries (path to bytes). */
    public static byte[] jar(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        write(entries, new JarOutputStream(bytes));
        return bytes.toByteArray();
    }

    /**
     * An executable jar ({@code java -jar}) in the run's folder, of {@code main}'s classes and {@code others}', with
     * {@code main} as its Main-Class.
     */
    public static Path executable(String name, Class<?> main, Class<?>... others) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>(classesOf(main));
        for (Class<?> other : others) entries.putAll(classesOf(other));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, main.getName());
        Path jar = ChildJvm.workDir().resolve(name + "-" + System.nanoTime() + ".jar");
        try (OutputStream file = Files.newOutputStream(jar)) {
            write(entries, new JarOutputStream(file, manifest));
        }
        return jar;
    }

    private static void write(Map<String, byte[]> entries, JarOutputStream out) throws IOException {
        try (out) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue());
            }
        }
    }
}
