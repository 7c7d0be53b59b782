package io.lockwatch.it.harness;

/** Lines the JVM itself prints on stderr when an agent is attached, or for a test's JVM options; they are not the program's. */
final class JvmNotes {
    private JvmNotes() {}

    static boolean isJvmNote(String line) {
        // CDS keeps sharing only boot classes once an agent appends to the boot class path, and JDK 17's CDS
        // says so too when a test sets its own system class loader.
        return line.contains("Sharing is only supported for boot loader classes")
                || line.contains("Archived non-system classes are disabled because the java.system.class.loader property is specified")
                // A dynamic archive dumped with an agent in the JVM, allowed by a diagnostic flag (ClassDataSharingTest)
                || line.contains("This archive was created with AllowArchivingWithJavaAgent")
                || isSecurityManagerDeprecation(line)
                || isDynamicAgentLoading(line);
    }

    /** JDK 21 and later when an agent is loaded into a running JVM (DynamicAttachTest). */
    private static boolean isDynamicAgentLoading(String line) {
        return line.startsWith("WARNING: A Java agent has been loaded dynamically (")
                || line.equals("WARNING: If a serviceability tool is in use, please run with -XX:+EnableDynamicAgentLoading to hide this warning")
                || line.equals("WARNING: If a serviceability tool is not in use, please run with -Djdk.instrument.traceUsage for more information")
                || line.equals("WARNING: Dynamic loading of agents will be disallowed by default in a future release");
    }

    /** JDK 17 to 23 on a security manager, set on the command line or by the program (SecurityManagerTest). */
    private static boolean isSecurityManagerDeprecation(String line) {
        return line.equals("WARNING: A command line option has enabled the Security Manager")
                || line.equals("WARNING: The Security Manager is deprecated and will be removed in a future release")
                || line.equals("WARNING: A terminally deprecated method in java.lang.System has been called")
                || line.startsWith("WARNING: System::setSecurityManager has been called by ")
                || line.startsWith("WARNING: Please consider reporting this to the maintainers of ")
                || line.equals("WARNING: System::setSecurityManager will be removed in a future release");
    }
}
