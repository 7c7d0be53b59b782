package io.lockwatch.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The agent's list of the JDK classes that take a lock, checked against the running JDK (Maven runs this on
 * JDK 17 and on JDK 25): every class of the modules the list speaks for that the transformer would rewrite
 * must be in it, or premain would leave it to the late check.
 *
 * <p>To write the list for the running JDK, for a new release or after a JDK update:
 * {@code mvn -B -pl agent test -Dtest=JdkLockClassesTest -Dlockwatch.writeJdkLockClasses=src/main/resources/io/lockwatch/agent/instrument}
 * with that JDK as {@code JAVA_HOME}, then add the release to {@link JdkLockClasses#RELEASES}.
 */
class JdkLockClassesTest {

    @Test
    void everyClassOfTheCoveredModulesThatTakesALockIsListed() throws IOException {
        int release = JdkLockClasses.runningRelease();
        Set<String> takeLocks = classesThatTakeLocks();
        assertTrue(takeLocks.size() > 200 && takeLocks.contains("java.lang.StringBuffer")
                && takeLocks.contains("java.lang.Thread") && takeLocks.contains("java.util.concurrent.ConcurrentHashMap"),
                "the scan read the JDK: " + takeLocks.size() + " classes");

        String writeTo = System.getProperty("lockwatch.writeJdkLockClasses");
        if (writeTo != null) write(Paths.get(writeTo).resolve(Paths.get(JdkLockClasses.entry(release)).getFileName()), release, takeLocks);

        Assumptions.assumeTrue(JdkLockClasses.hasOwnList(release), "no list for JDK " + release + ": the agent uses all lists and the late check");
        JdkLockClasses list = listed(release);
        Set<String> listed = list.names();
        Set<String> missing = new TreeSet<>(takeLocks);
        missing.removeAll(listed);
        Set<String> extra = new TreeSet<>(listed);
        extra.removeAll(takeLocks);
        assertEquals(Set.of(), missing, "classes of JDK " + System.getProperty("java.runtime.version")
                + " that take a lock but are not in " + JdkLockClasses.entry(release) + "; write the list again (see this test's comment)");
        // A few extra names (a class that lost its lock in an update) only cost a needless retransformation each.
        assertTrue(extra.size() <= 10, extra.size() + " listed classes take no lock on this JDK, is it the list of another release? " + extra);
    }

    @Test
    void theListsAreReadAsNamesOnePerLine() {
        byte[] one = "# comment\n#build Acme 17.0.1+2\njava.lang.Thread\n\n java.util.Hashtable \r\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] two = "java.lang.StringBuffer".getBytes(StandardCharsets.ISO_8859_1);
        JdkLockClasses lists = JdkLockClasses.parse(one, two);
        assertEquals(Set.of("java.lang.Thread", "java.util.Hashtable", "java.lang.StringBuffer"), lists.names());
        assertTrue(lists.readOff("Acme 17.0.1+2"));
        assertFalse(lists.readOff("Acme 17.0.2+1"));
    }

    /** What the transformer would rewrite, of the classes of the modules the lists speak for. */
    private static Set<String> classesThatTakeLocks() throws IOException {
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        Set<String> names = new TreeSet<>();
        for (String module : JdkLockClasses.MODULES) {
            Path root = jrt.getPath("/modules", module);
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    String path = root.relativize(file).toString();
                    if (!path.endsWith(".class") || path.equals("module-info.class")) continue;
                    String name = path.substring(0, path.length() - ".class".length()).replace('/', '.');
                    if (IgnoreRules.ignores(name, List.of())) continue;
                    byte[] classFile = Files.readAllBytes(file);
                    if (LockSiteScanner.takesLocks(classFile)) names.add(name);
                }
            }
        }
        return names;
    }

    private static JdkLockClasses listed(int release) throws IOException {
        try (InputStream in = JdkLockClasses.class.getClassLoader().getResourceAsStream(JdkLockClasses.entry(release))) {
            assertTrue(in != null, "no " + JdkLockClasses.entry(release) + " in the agent's resources");
            return JdkLockClasses.parse(in.readAllBytes());
        }
    }

    private static void write(Path file, int release, Set<String> names) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# The classes of java.base and java.instrument that lockwatch's transformer rewrites (they take a lock),");
        lines.add("# written by JdkLockClassesTest on the build below; premain retransforms JDK " + release
                + "'s early classes by this list, and on another build also checks those it does not name.");
        lines.add(JdkLockClasses.BUILD_LINE + JdkLockClasses.runningBuild());
        lines.addAll(names);
        Files.write(file, lines, StandardCharsets.ISO_8859_1);
    }
}
