package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.ProgramJars;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.ArchivedInversion;
import io.lockwatch.it.programs.MonitorInversion;
import io.lockwatch.it.programs.Staggered;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A service that starts from a class data sharing archive of its own classes ({@code -XX:SharedArchiveFile}, made
 * with {@code -XX:ArchiveClassesAtExit} as Spring Boot's documentation makes one), or from an AOT cache (JDK 24 and
 * later). lockwatch adds its jar to the boot class path from {@code premain}, not at the JVM's start
 * ({@code Boot-Class-Path}): a jar added at start makes the JVM refuse such an archive altogether (README, "Options";
 * forty-first performance round).
 */
class ClassDataSharingTest {
    private static final String FROM_THE_APPLICATIONS_ARCHIVE = "source: shared objects file (top)";
    private static final String UNTOUCHED = ArchivedInversion.class.getName() + "$Untouched ";

    /**
     * The archive stays in use, and the classes it holds are instrumented still: the JVM gives the transformer the
     * class files of archived classes too. On JDK 17 the classes that lockwatch leaves as they are keep coming
     * from the archive; JDK 25 reads the application's classes from its jar once the boot class path grew, and
     * keeps the archive for the JDK's.
     */
    @Test
    void anInversionInAClassOfTheApplicationsOwnArchiveIsFound() throws IOException {
        Path jar = programJar("archived-inversion");
        Path archive = jar.resolveSibling(jar.getFileName() + ".jsa");
        ChildJvm.run(ArchivedInversion.class).withoutAgent().executableJar(jar)
                .jvmArgs("-XX:ArchiveClassesAtExit=" + archive).exec().assertCleanExit();
        assertTrue(Files.size(archive) > 0, "the application's archive was made: " + archive);

        String loaded = runFindingTheInversion(jar, "-XX:SharedArchiveFile=" + archive);
        assertTrue(loaded.contains(FROM_THE_APPLICATIONS_ARCHIVE), "no class came from the application's archive:\n"
                + loaded.lines().filter(l -> l.contains("shared objects file")).limit(5).toList());
        if (ChildJvm.childFeatureVersion() == 17) assertLoaded(loaded, UNTOUCHED + FROM_THE_APPLICATIONS_ARCHIVE);
    }

    /**
     * A run that also dumps a dynamic archive at its exit with the agent in it (which the JVM allows only with a
     * diagnostic flag) is a run of the application like any other, and is watched: lockwatch stays off only in an
     * AOT cache's training run (below).
     */
    @Test
    void aRunThatDumpsADynamicArchiveWithTheAgentIsWatched() throws IOException {
        Path jar = programJar("dumping-inversion");
        Path archive = jar.resolveSibling(jar.getFileName() + ".jsa");
        runFindingTheInversion(jar, "-XX:+UnlockDiagnosticVMOptions", "-XX:+AllowArchivingWithJavaAgent",
                "-XX:ArchiveClassesAtExit=" + archive);
        assertTrue(Files.size(archive) > 0, "the archive was made: " + archive);
    }

    /**
     * JDK 24 and later: an AOT cache whose training run had the agent given (as {@code JAVA_TOOL_OPTIONS} gives it
     * to every JVM of a container), used by a run with the agent. lockwatch stays off in the training run, which ends
     * as it would without it (with the JDK's classes retransformed, JDK 25.0.3 crashed at its end), and the run that
     * uses the cache takes the application's classes from it and finds the inversion.
     */
    @Test
    void anAotCacheTrainedWithTheAgentGivenServesARunWithTheAgent() throws IOException {
        assumeTrue(ChildJvm.childFeatureVersion() >= 24, "AOT caches came with JDK 24");
        Path jar = programJar("aot-inversion");
        Path configuration = jar.resolveSibling(jar.getFileName() + ".aotconf");
        Path cache = jar.resolveSibling(jar.getFileName() + ".aot");
        ChildResult training = ChildJvm.run(ArchivedInversion.class).executableJar(jar)
                .jvmArgs("-XX:AOTMode=record", "-XX:AOTConfiguration=" + configuration, "-Xlog:disable")
                .exec().assertCleanExit();
        assertTrue(training.stdout.startsWith("done\n"), training.toString());
        assertTrue(training.stderr.contains("[lockwatch] this JVM is the training run of an AOT cache"), training.toString());
        assertFalse(Files.exists(training.reportPath), "lockwatch wrote a report in the training run:\n" + training);
        ChildJvm.run(ArchivedInversion.class).executableJar(jar)
                .jvmArgs("-XX:AOTMode=create", "-XX:AOTConfiguration=" + configuration, "-XX:AOTCache=" + cache,
                        "-Xlog:disable")
                .exec().assertCleanExit();
        assertTrue(Files.size(cache) > 0, "the cache was made: " + cache);

        assertLoaded(runFindingTheInversion(jar, "-XX:AOTCache=" + cache), UNTOUCHED + "source: shared objects file");
    }

    /**
     * Runs the program from its jar with the agent and {@code archiveOptions}, and asserts that it ran as without
     * the agent and that the inversion was found. @return the JVM's class-loading log
     */
    private static String runFindingTheInversion(Path jar, String... archiveOptions) throws IOException {
        Path classLoading = jar.resolveSibling(jar.getFileName() + ".class-load.log");
        ChildResult run = ChildJvm.run(ArchivedInversion.class).executableJar(jar).jvmArgs(archiveOptions)
                .jvmArgs("-Xlog:disable", "-Xlog:class+load=info:file=" + classLoading)
                .exec().assertCleanExit();
        assertEquals("done\n", run.stdout, run.toString());
        Report.assertFinding(run.report().singlePotentialDeadlock(), MonitorInversion.class, "java.lang.Object",
                "java.lang.Object");
        return Files.readString(classLoading);
    }

    /** The program's jar, as a service ships its classes (archives hold classes read from jars only). */
    private static Path programJar(String name) throws IOException {
        return ProgramJars.executable(name, ArchivedInversion.class, MonitorInversion.class, Staggered.class);
    }

    private static void assertLoaded(String classLoading, String line) {
        assertTrue(classLoading.contains(line), "expected '" + line + "' in:\n"
                + classLoading.lines().filter(l -> l.contains(ArchivedInversion.class.getName())).toList());
    }
}
