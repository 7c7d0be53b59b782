package io.lockwatch.it.harness;

/** Lines the JVM itself prints on stderr when an agent is attached; they are not the program's. */
final class JvmNotes {
    private JvmNotes() {}

    static boolean isJvmNote(String line) {
        // CDS keeps sharing only boot classes once an agent appends to the boot class path.
        return line.contains("Sharing is only supported for boot loader classes");
    }
}
