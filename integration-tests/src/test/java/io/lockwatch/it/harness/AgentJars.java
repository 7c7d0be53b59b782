package io.lockwatch.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** Copies of the real agent jar with some entries edited or left out: a jar that is not as it was built. */
public final class AgentJars {
    /** What becomes of one entry of the jar: its bytes, as they are or edited, or null to leave it out. */
    public interface Edit {
        byte[] apply(String entryName, byte[] bytes);
    }

    private AgentJars() {}

    /** A copy of the real agent jar without the one entry {@code classFile} (e.g. {@code io/lockwatch/.../Edge.class}). */
    public static Path without(String classFile) throws IOException {
        String simpleName = classFile.substring(classFile.lastIndexOf('/') + 1).replace(".class", "");
        return copy("lockwatch-agent-without-" + simpleName, (name, bytes) -> name.equals(classFile) ? null : bytes);
    }

    /** A copy of the real agent jar in the tests' work folder, each entry passed through {@code edit}. */
    public static Path copy(String name, Edit edit) throws IOException {
        Path copy = Files.createTempFile(ChildJvm.workDir(), name + "-", ".jar"); // unique: tests may run at once
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(ChildJvm.realAgentJar()));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(copy))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                byte[] bytes = edit.apply(entry.getName(), in.readAllBytes());
                if (bytes == null) continue;
                out.putNextEntry(new ZipEntry(entry.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
        return copy;
    }
}
