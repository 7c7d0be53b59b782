package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.ProgramJars;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.H2Workload;
import io.lockwatch.it.programs.MonitorInversion;
import io.lockwatch.it.programs.Staggered;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * lockwatch on a Spring Boot executable jar, the way many JVM services ship: {@code java -jar app.jar}, whose
 * launcher loads the application's classes ({@code BOOT-INF/classes}) and libraries (jars stored inside the jar,
 * {@code BOOT-INF/lib}) through a class loader of its own that reads the nested jars itself. The jars here are laid
 * out as Spring Boot's repackaging lays them out, around Spring Boot's real launcher (spring-boot-loader 4.0.7).
 */
class SpringBootFatJarTest {
    private static final Path LOADER = Paths.get(System.getProperty("lockwatch.launchersDir"), "spring-boot-loader.jar");

    /** The lock sites are in a library nested in the jar: found only if the classes read from it are instrumented. */
    @Test
    void anInversionInANestedLibraryIsFound() throws IOException {
        Map<String, byte[]> lib = new LinkedHashMap<>();
        lib.putAll(ProgramJars.classesOf(MonitorInversion.class));
        lib.putAll(ProgramJars.classesOf(Staggered.class));
        Path jar = fatJar("inversion", MonitorInversion.class, Map.of(), Map.of("inversions.jar", ProgramJars.jar(lib)));
        ChildResult run = ChildJvm.run(MonitorInversion.class).executableJar(jar).exec().assertCleanExit();
        assertEquals("done\n", run.stdout, run.toString());
        JsonNode finding = run.report().singlePotentialDeadlock();
        Report.assertFinding(finding, MonitorInversion.class, "java.lang.Object", "java.lang.Object");
    }

    /**
     * An embedded database read from a nested jar by four threads at once, each loading its classes through the
     * launcher's loader (whose own locks lockwatch tracks too): runs as without lockwatch, and nothing is reported.
     */
    @Test
    void aDatabaseInANestedJarRunsAsWithoutLockwatch() throws IOException {
        Path h2 = ChildJvm.libraryJar("h2-");
        Path jar = fatJar("h2", H2Workload.class, ProgramJars.classesOf(H2Workload.class),
                Map.of(h2.getFileName().toString(), Files.readAllBytes(h2)));
        ChildResult run = ChildJvm.run(H2Workload.class).executableJar(jar).args("50").exec().assertCleanExit();
        assertEquals("total=100000\n", run.stdout, run.toString());
        Report report = run.report().assertNoHangFindings();
        assertEquals(0, report.potentialDeadlocks().size(), report.potentialDeadlocks().toPrettyString());
        assertTrue(report.stat("classesInstrumented") >= 100, "H2's classes, read from the nested jar: " + report.json.get("stats"));
    }

    /**
     * An executable jar: the launcher's classes at the top, {@code classes} under BOOT-INF/classes, and each of
     * {@code libs} (name to bytes) under BOOT-INF/lib, stored uncompressed as the launcher requires.
     */
    private static Path fatJar(String name, Class<?> startClass, Map<String, byte[]> classes, Map<String, byte[]> libs)
            throws IOException {
        Path jar = ChildJvm.workDir().resolve("spring-boot-" + name + "-" + System.nanoTime() + ".jar");
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, "org.springframework.boot.loader.launch.JarLauncher");
        main.putValue("Start-Class", startClass.getName());
        main.putValue("Spring-Boot-Classes", "BOOT-INF/classes/");
        main.putValue("Spring-Boot-Lib", "BOOT-INF/lib/");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             JarFile loader = new JarFile(LOADER.toFile())) {
            for (Enumeration<JarEntry> e = loader.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                if (entry.isDirectory() || entry.getName().startsWith("META-INF/")) continue;
                try (InputStream in = loader.getInputStream(entry)) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(out);
                }
            }
            // The launcher finds BOOT-INF/classes by its directory entry, as the repackaging writes one for every folder.
            Set<String> folders = new LinkedHashSet<>(List.of("BOOT-INF/", "BOOT-INF/classes/", "BOOT-INF/lib/"));
            for (String c : classes.keySet()) {
                for (int slash = c.indexOf('/'); slash >= 0; slash = c.indexOf('/', slash + 1)) {
                    folders.add("BOOT-INF/classes/" + c.substring(0, slash + 1));
                }
            }
            for (String folder : folders) out.putNextEntry(new JarEntry(folder));
            for (Map.Entry<String, byte[]> c : classes.entrySet()) {
                out.putNextEntry(new JarEntry("BOOT-INF/classes/" + c.getKey()));
                out.write(c.getValue());
            }
            for (Map.Entry<String, byte[]> lib : libs.entrySet()) {
                JarEntry entry = new JarEntry("BOOT-INF/lib/" + lib.getKey());
                CRC32 crc = new CRC32();
                crc.update(lib.getValue());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(lib.getValue().length);
                entry.setCompressedSize(lib.getValue().length);
                entry.setCrc(crc.getValue());
                out.putNextEntry(entry);
                out.write(lib.getValue());
            }
        }
        return jar;
    }
}
