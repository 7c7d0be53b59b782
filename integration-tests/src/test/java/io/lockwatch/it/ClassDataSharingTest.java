package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.ProgramJars;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.ArchivedInversion;
import io.lockwatch.it.programs.Staggered;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A service that starts from a class data sharing archive of its own classes ({@code -XX:SharedArchiveFile}, made
 * with {@code -XX:ArchiveClassesAtExit} as Spring Boot's documentation makes one). lockwatch adds its jar to the boot
 * class path from {@code premain}, not at the JVM's start ({@code Boot-Class-Path}): a jar added at start makes the
 * JVM refuse such an archive altogether (README, "Options"; forty-first performance round).
 */
class ClassDataSharingTest {
    private static final String FROM_THE_APPLICATIONS_ARCHIVE = "source: shared objects file (top)";

    /**
     * The archive stays in use, and the classes it holds are instrumented still: the JVM gives the transformer the
     * class files of archived classes too. On JDK 17 the classes that lockwatch leaves as they are keep coming
     * from the archive; JDK 25 reads the application's classes from its jar once the boot class path grew, and
     * keeps the archive for the JDK's.
     */
    @Test
    void anInversionInAClassOfTheApplicationsOwnArchiveIsFound() throws IOException {
        Path jar = ProgramJars.executable("archived-inversion", ArchivedInversion.class, Staggered.class);
        Path archive = jar.resolveSibling(jar.getFileName() + ".jsa");
        ChildJvm.run(ArchivedInversion.class).withoutAgent().executableJar(jar)
                .jvmArgs("-XX:ArchiveClassesAtExit=" + archive).exec().assertCleanExit();
        assertTrue(Files.size(archive) > 0, "the application's archive was made: " + archive);

        Path classLoading = jar.resolveSibling(jar.getFileName() + ".class-load.log");
        ChildResult run = ChildJvm.run(ArchivedInversion.class).executableJar(jar)
                .jvmArgs("-XX:SharedArchiveFile=" + archive, "-Xlog:disable", "-Xlog:class+load=info:file=" + classLoading)
                .exec().assertCleanExit();
        assertEquals("done\n", run.stdout, run.toString());
        Report.assertFinding(run.report().singlePotentialDeadlock(), ArchivedInversion.class, "java.lang.Object",
                "java.lang.Object");

        String loaded = Files.readString(classLoading);
        assertTrue(loaded.contains(FROM_THE_APPLICATIONS_ARCHIVE), "no class came from the application's archive:\n"
                + loaded.lines().filter(l -> l.contains("shared objects file")).limit(5).toList());
        if (ChildJvm.childFeatureVersion() == 17) {
            String untouched = ArchivedInversion.class.getName() + "$Untouched " + FROM_THE_APPLICATIONS_ARCHIVE;
            assertTrue(loaded.contains(untouched), "expected '" + untouched + "' in:\n"
                    + loaded.lines().filter(l -> l.contains(ArchivedInversion.class.getName())).toList());
        }
    }
}
