package io.lockwatch.it.harness;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Copies of the real agent jar with some entries edited or left out: a jar that is not as it was built.
 *
 * <p>The copies are edited through the JDK's zip file system, which writes the entries left as they are
 * without inflating and deflating them again: a tenth of the time of a copy entry by entry, and the
 * damaged-jar sweep makes hundreds of copies.
 */
public final class AgentJars {
    /** What becomes of one entry of the jar: its bytes, as they are or edited, or null to leave it out. */
    public interface Edit {
        byte[] apply(String entryName, byte[] bytes);
    }

    private AgentJars() {}

    /**
     * A copy of the real agent jar without the one entry {@code classFile} (e.g. {@code io/lockwatch/.../Edge.class});
     * an entry the jar does not have fails the test instead of testing a whole jar.
     */
    public static Path without(String classFile) throws IOException {
        String simpleName = classFile.substring(classFile.lastIndexOf('/') + 1).replace(".class", "");
        Path copy = plainCopy("lockwatch-agent-without-" + simpleName);
        try (FileSystem jar = FileSystems.newFileSystem(copy, (ClassLoader) null)) {
            Files.delete(jar.getPath(classFile));
        }
        return copy;
    }

    /** A copy of the real agent jar in the tests' work folder, each entry passed through {@code edit}. */
    public static Path copy(String name, Edit edit) throws IOException {
        Path copy = plainCopy(name);
        try (FileSystem jar = FileSystems.newFileSystem(copy, (ClassLoader) null)) {
            List<Path> entries;
            try (Stream<Path> all = Files.walk(jar.getPath("/"))) {
                entries = all.filter(Files::isRegularFile).collect(Collectors.toList());
            }
            for (Path entry : entries) {
                byte[] bytes = Files.readAllBytes(entry);
                byte[] edited = edit.apply(entry.toString().substring(1), bytes);
                if (edited == null) Files.delete(entry);
                else if (edited != bytes) Files.write(entry, edited);
            }
        }
        return copy;
    }

    private static Path plainCopy(String name) throws IOException {
        Path copy = Files.createTempFile(ChildJvm.workDir(), name + "-", ".jar"); // unique: tests may run at once
        return Files.copy(ChildJvm.realAgentJar(), copy, StandardCopyOption.REPLACE_EXISTING);
    }
}
