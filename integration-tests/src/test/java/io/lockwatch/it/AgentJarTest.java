package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The agent jar lands on the application's bootstrap class path, so every class in it must live under
 * our own package: a bundled library under its own name would shadow or clash with the application's copy.
 */
class AgentJarTest {
    private static JarFile jar() throws Exception {
        return new JarFile(System.getProperty("lockwatch.agentJar"));
    }

    @Test
    void everyClassIsUnderIoLockwatch() throws Exception {
        List<String> foreign = new ArrayList<>();
        int shaded = 0;
        try (JarFile jar = jar()) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (!name.endsWith(".class")) continue;
                if (!name.startsWith("io/lockwatch/")) foreign.add(name);
                if (name.startsWith("io/lockwatch/shaded/micrometer/") || name.startsWith("io/lockwatch/shaded/prometheus/")) shaded++;
            }
        }
        assertEquals(List.of(), foreign, "classes outside io/lockwatch/");
        assertTrue(shaded > 100, "Micrometer and the Prometheus client are bundled, relocated: " + shaded);
    }

    /**
     * The jar carries the runtime as it was just built: every class of runtime/target/classes, byte for byte.
     * The shade once wrote its jar over the module's own, and a build without 'clean' after a change to
     * runtime/ alone then shaded the previous jar again, whose old runtime classes won.
     */
    @Test
    void theRuntimeInTheJarIsTheOneJustBuilt() throws Exception {
        Path classes = Path.of(System.getProperty("lockwatch.runtimeClasses"));
        List<Path> built;
        try (Stream<Path> walk = Files.walk(classes)) {
            built = walk.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList());
        }
        assertTrue(built.size() > 50, "runtime classes found: " + built.size());
        List<String> stale = new ArrayList<>();
        try (JarFile jar = jar()) {
            for (Path file : built) {
                String name = classes.relativize(file).toString().replace('\\', '/');
                JarEntry entry = jar.getJarEntry(name);
                if (entry == null) {
                    stale.add(name + " (missing)");
                    continue;
                }
                try (InputStream in = jar.getInputStream(entry)) {
                    if (!Arrays.equals(Files.readAllBytes(file), in.readAllBytes())) stale.add(name);
                }
            }
        }
        assertEquals(List.of(), stale, "runtime classes in the agent jar that differ from runtime/target/classes");
    }

    @Test
    void serviceFilesNameOnlyRelocatedTypes() throws Exception {
        try (JarFile jar = jar()) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                if (!entry.getName().startsWith("META-INF/services/") || entry.isDirectory()) continue;
                String service = entry.getName().substring("META-INF/services/".length());
                assertTrue(service.startsWith("io.lockwatch."), "service interface " + service);
                try (BufferedReader in = new BufferedReader(new InputStreamReader(jar.getInputStream(entry), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        String impl = line.replaceAll("#.*", "").trim();
                        if (!impl.isEmpty()) assertTrue(impl.startsWith("io.lockwatch."), service + " -> " + impl);
                    }
                }
            }
        }
    }
}
