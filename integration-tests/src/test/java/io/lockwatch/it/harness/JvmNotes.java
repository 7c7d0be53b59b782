package io.lockwatch.it.harness;

/** Lines the JVM itself prints on stderr when an agent is attached, or for a test's JVM options; they are not the program's. */
final class JvmNotes {
    private JvmNotes() {}

    static boolean isJvmNote(String line) {
        // CDS keeps sharing only boot classes once an agent appends to the boot class path, and JDK 17's CDS
        // says so too when a test sets its own system class loader.
        return line.contains("Sharing is only supported for boot loader classes")
                || line.contains("Archived non-system classes are disabled because the java.system.class.loader property is specified");
    }
}
