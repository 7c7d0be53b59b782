package io.lockwatch.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/** The never-instrumented list stays short and reasoned, and everything else is covered. */
class IgnoreRulesTest {

    @Test
    void everyRuleHasAReason() {
        for (String[] rule : IgnoreRules.NEVER) {
            assertTrue(rule.length == 2 && !rule[1].isBlank(), "rule without a reason: " + rule[0]);
        }
        assertTrue(IgnoreRules.NEVER.length <= 12, "the list is meant to stay short");
    }

    @Test
    void lockwatchItselfIsNeverInstrumented() {
        assertTrue(IgnoreRules.ignores("io.lockwatch.runtime.track.LockTracker", List.of()));
        assertTrue(IgnoreRules.ignores("io.lockwatch.agent.instrument.LockSiteFilter", List.of()));
        assertTrue(IgnoreRules.ignores("io.lockwatch.shaded.bytebuddy.jar.asm.ClassReader", List.of()));
        assertTrue(IgnoreRules.ignores("java.lang.ThreadLocal$ThreadLocalMap", List.of()));
    }

    @Test
    void jdkLibraryAndApplicationClassesAreCovered() {
        for (String covered : new String[] {"java.lang.StringBuffer", "java.util.Vector", "java.util.Hashtable",
                "java.util.Collections$SynchronizedCollection", "java.util.logging.StreamHandler", "java.io.PrintStream",
                "java.util.concurrent.ConcurrentHashMap", "org.apache.log4j.Category", "com.acme.Service",
                "io.lockwatch.demo.BankTransfers"}) {
            assertFalse(IgnoreRules.ignores(covered, List.of()), covered + " must be instrumented");
        }
    }

    @Test
    void userExcludesNarrowCoverage() {
        assertTrue(IgnoreRules.ignores("com.acme.generated.Proxy1", List.of("com.acme.generated.")));
        assertFalse(IgnoreRules.ignores("com.acme.Service", List.of("com.acme.generated.")));
    }

    @Test
    void everyThreadPrivateRuleHasAReasonAndNamesAMethodThatTakesALockOnThisJdk() throws Exception {
        for (String[] rule : IgnoreRules.THREAD_PRIVATE) {
            assertTrue(rule.length == 3 && !rule[2].isBlank(), "rule without a reason: " + rule[0] + "." + rule[1]);
            // A rule whose method is gone or no longer locks is stale: the JDK changed, read its code again.
            assertTrue(takesALock(classFile(rule[0]), rule[1]), rule[0] + "." + rule[1] + " takes no lock on this JDK");
        }
    }

    @Test
    void aThreadPrivateMethodIsLeftAsItIsAndTheClassesOtherSitesAreNot() throws Exception {
        LockSiteScanner.Result url = LockSiteScanner.scan(classFile("java.net.URL"));
        assertTrue(url.methodsWithSites.contains("hashCode()I"), "URL.hashCode is still tracked: " + url.methodsWithSites);
        assertTrue(url.methodsWithSites.stream().noneMatch(m -> m.startsWith("set(")), "URL.set is left: " + url.methodsWithSites);
        assertFalse(LockSiteScanner.scan(classFile("jdk.internal.loader.Resource")).hasSites,
                "Resource's only lock is in cachedInputStream");
        assertFalse(AsmLockSiteScanner.isThreadPrivate("java.net.URL", "hashCode"));

        // Every exception's constructor: left, and Throwable's other locks (printStackTrace's on the stream) kept.
        LockSiteScanner.Result throwable = LockSiteScanner.scan(classFile("java.lang.Throwable"));
        assertTrue(throwable.methodsWithSites.stream().noneMatch(m -> m.startsWith("fillInStackTrace(")),
                "fillInStackTrace is left: " + throwable.methodsWithSites);
        assertTrue(throwable.methodsWithSites.contains("printStackTrace(Ljava/lang/Throwable$PrintStreamOrWriter;)V"),
                "printStackTrace is still tracked: " + throwable.methodsWithSites);
        assertTrue(throwable.methodsWithSites.contains("getCause()Ljava/lang/Throwable;"),
                "getCause is still tracked: " + throwable.methodsWithSites);
    }

    private static byte[] classFile(String className) throws Exception {
        Path modules = FileSystems.getFileSystem(URI.create("jrt:/")).getPath("/modules", "java.base");
        return Files.readAllBytes(modules.resolve(className.replace('.', '/') + ".class"));
    }

    /** Is {@code method} of the class synchronized, or has it a monitorenter? (Any overload.) */
    private static boolean takesALock(byte[] classFile, String method) {
        boolean[] found = {false};
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                if (!name.equals(method)) return null;
                if ((access & Opcodes.ACC_SYNCHRONIZED) != 0) found[0] = true;
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.MONITORENTER) found[0] = true;
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return found[0];
    }
}
