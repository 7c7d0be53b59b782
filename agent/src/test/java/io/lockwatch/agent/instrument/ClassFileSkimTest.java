package io.lockwatch.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/**
 * The skim may only say "no lock site" when the full scan agrees: checked on every class of the running
 * JDK's modules, which have every kind of instruction, switch and constant there is.
 */
class ClassFileSkimTest {

    /**
     * Over every class of the JDK: the skim never rules out a class with sites, and the raw-byte scanner
     * finds exactly what the same scan written with ASM's visitors finds (sites, the methods that have
     * them, synchronized methods that overwrite {@code this}), and every leaf critical section it finds
     * passes ASM's check of what a leaf may contain.
     */
    @Test
    void skimAndScannerAgreeWithTheAsmScanOnEveryJdkClass() throws IOException {
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        List<String> missed = new ArrayList<>();
        List<String> disagreements = new ArrayList<>();
        int classes = 0;
        int skimmedAway = 0;
        int withSites = 0;
        List<String> leafViolations = new ArrayList<>();
        int[] leaves = new int[3];
        try (Stream<Path> files = Files.walk(jrt.getPath("/modules"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (!file.toString().endsWith(".class") || file.getFileName().toString().equals("module-info.class")) continue;
                byte[] classFile = Files.readAllBytes(file);
                classes++;
                LockSiteScanner.Result reference = AsmLockSiteScanner.scan(classFile);
                LockSiteScanner.Result scan = LockSiteScanner.scan(classFile);
                boolean maybe = ClassFileSkim.mayHaveSites(classFile);
                if (reference.hasSites) withSites++;
                if (!maybe) skimmedAway++;
                if (reference.hasSites && !maybe) missed.add(file.toString());
                leafViolations.addAll(AsmLockSiteScanner.leafViolations(classFile, scan, leaves));
                if (scan.hasSites != reference.hasSites || scan.allMethods != reference.allMethods
                        || !scan.methodsWithSites.equals(reference.methodsWithSites)
                        || !scan.thisOverwritten.equals(reference.thisOverwritten)
                        || !scan.maxLocals.equals(reference.maxLocals)) {
                    disagreements.add(file + ": " + scan.methodsWithSites + " / " + reference.methodsWithSites
                            + ", " + scan.thisOverwritten + " / " + reference.thisOverwritten);
                }
            }
        }
        assertEquals(List.of(), missed, "classes with lock sites the skim said had none");
        assertEquals(List.of(), disagreements.subList(0, Math.min(10, disagreements.size())),
                disagreements.size() + " classes where the raw-byte scan and the ASM scan disagree");
        assertTrue(classes > 5_000, "read the JDK: " + classes);
        assertEquals(List.of(), leafViolations.subList(0, Math.min(10, leafViolations.size())),
                leafViolations.size() + " leaf critical sections with something inside that could take a lock");
        // The JDK is full of small critical sections: a scan that finds next to none has lost its way.
        assertTrue(leaves[0] > 300 && leaves[1] > 300 && leaves[2] > 20,
                leaves[0] + " leaf methods, " + leaves[1] + " leaf blocks and " + leaves[2] + " leaf lock() sections");
        // The point of the skim: it alone settles nearly every class without a lock site (a few dozen
        // lock-free classes call, say, ReentrantLock.isLocked() and are left to the scanner).
        int lockFree = classes - withSites;
        assertTrue(lockFree - skimmedAway < 100, skimmedAway + " of " + lockFree + " lock-free classes settled by the skim");
    }

    /**
     * The skim keeps its tables for the next class: whatever the class before left in them must not change
     * the answer. Every class of java.base, skimmed in the image's order and then in reverse (so after
     * another class each time, with a pool of another size), gets the same answer both times.
     */
    @Test
    void theSkimsAnswerDoesNotDependOnTheClassBefore() throws IOException {
        List<byte[]> classFiles = new ArrayList<>(javaBaseClassFiles().values());
        boolean[] forward = new boolean[classFiles.size()];
        for (int i = 0; i < classFiles.size(); i++) forward[i] = ClassFileSkim.mayHaveSites(classFiles.get(i));
        List<Integer> differ = new ArrayList<>();
        for (int i = classFiles.size() - 1; i >= 0; i--) {
            if (ClassFileSkim.mayHaveSites(classFiles.get(i)) != forward[i]) differ.add(i);
        }
        assertTrue(classFiles.size() > 3_000, "read java.base: " + classFiles.size());
        assertEquals(List.of(), differ, "classes whose skim answer changed with the class skimmed before them");
    }

    /**
     * What the skim's kept tables rely on: the walk of the pool writes every entry it returns, the second
     * slot of a Long or Double included (as 0), whatever the array held before.
     */
    @Test
    void theWalkOfThePoolWritesEveryEntry() throws IOException {
        int withTwoSlotConstants = 0;
        for (Map.Entry<Path, byte[]> each : javaBaseClassFiles().entrySet()) {
            Path file = each.getKey();
            byte[] classFile = each.getValue();
            int count = ClassFileSkim.u2(classFile, 8);
            int[] fresh = new int[count];
            int[] used = new int[count + 16];
            Arrays.fill(used, 12345);
            int end = ClassFileSkim.readConstantPool(classFile, fresh, count, null);
            assertEquals(end, ClassFileSkim.readConstantPool(classFile, used, count, null), file.toString());
            // (entry 0 stands for no constant: never written, never read)
            assertArrayEquals(Arrays.copyOfRange(fresh, 1, count), Arrays.copyOfRange(used, 1, count),
                    file + ": entries left as they were");
            for (int i = 1; i < count; i++) {
                if (fresh[i] == 0) {
                    withTwoSlotConstants++;
                    break;
                }
            }
        }
        assertTrue(withTwoSlotConstants > 100, "classes with a Long or Double constant: " + withTwoSlotConstants);
    }

    /** Every class file of java.base, in the image's order. */
    private static Map<Path, byte[]> javaBaseClassFiles() throws IOException {
        Path base = FileSystems.getFileSystem(URI.create("jrt:/")).getPath("/modules/java.base");
        Map<Path, byte[]> classFiles = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(base)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.toString().endsWith(".class")) classFiles.put(file, Files.readAllBytes(file));
            }
        }
        return classFiles;
    }

    @Test
    void findsEachKindOfSite() throws IOException {
        assertTrue(ClassFileSkim.mayHaveSites(classFile(LockSiteFilter.WarmUp.class)));
        assertTrue(ClassFileSkim.mayHaveSites(classFile(Thread.class)), "Thread gets its hooks");
        assertTrue(ClassFileSkim.mayHaveSites(classFile(SynchronizedMethodOnly.class)));
        assertTrue(ClassFileSkim.mayHaveSites(classFile(BlockOnly.class)));
        assertTrue(ClassFileSkim.mayHaveSites(classFile(LatchOnly.class)));
        assertFalse(ClassFileSkim.mayHaveSites(classFile(NoLocks.class)));
        assertFalse(ClassFileSkim.mayHaveSites(classFile(Object.class)), "Object takes no lock");
    }

    /** javac never stores into {@code this}; other compilers and bytecode tools may. Written here with ASM. */
    @Test
    void synchronizedMethodsThatOverwriteThisAgreeWithTheAsmScan() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC, "test/OverwritesThis", null, "java/lang/Object", null);
        method(cw, Opcodes.ACC_SYNCHRONIZED, "astore", mv -> {
            mv.visitInsn(Opcodes.ACONST_NULL);
            mv.visitVarInsn(Opcodes.ASTORE, 0);
        });
        method(cw, Opcodes.ACC_SYNCHRONIZED, "wideStore", mv -> {
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, 300); // wide, another local: not this
            mv.visitInsn(Opcodes.ACONST_NULL);
            mv.visitVarInsn(Opcodes.ASTORE, 1);
        });
        method(cw, Opcodes.ACC_SYNCHRONIZED, "keeps", mv -> mv.visitVarInsn(Opcodes.ALOAD, 0));
        method(cw, 0, "unsynchronizedStore", mv -> {
            mv.visitInsn(Opcodes.ACONST_NULL);
            mv.visitVarInsn(Opcodes.ASTORE, 0);
        });
        cw.visitEnd();
        byte[] classFile = cw.toByteArray();
        LockSiteScanner.Result scan = LockSiteScanner.scan(classFile);
        LockSiteScanner.Result reference = AsmLockSiteScanner.scan(classFile);
        assertEquals(Set.of("astore()V"), scan.thisOverwritten);
        assertEquals(reference.thisOverwritten, scan.thisOverwritten);
        assertEquals(Set.of("astore()V", "wideStore()V", "keeps()V"), scan.methodsWithSites);
        assertEquals(reference.methodsWithSites, scan.methodsWithSites);
    }

    private static void method(ClassWriter cw, int access, String name, java.util.function.Consumer<MethodVisitor> body) {
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | access, name, "()V", null, null);
        mv.visitCode();
        body.accept(mv);
        if (name.equals("keeps")) mv.visitInsn(Opcodes.POP);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    @Test
    void malformedClassFilesAreLeftToTheFullScan() {
        assertTrue(ClassFileSkim.mayHaveSites(new byte[0]));
        assertTrue(ClassFileSkim.mayHaveSites(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61, 0, 9}));
        assertTrue(ClassFileSkim.mayHaveSites(new byte[] {1, 2, 3, 4}));
    }

    private static byte[] classFile(Class<?> type) throws IOException {
        byte[] bytes = Instrumenter.classFile(type);
        if (bytes == null) throw new IOException("no class file for " + type);
        return bytes;
    }

    static final class SynchronizedMethodOnly {
        synchronized void run() {}
    }

    static final class BlockOnly {
        void run(Object o) {
            synchronized (o) {
                o.hashCode();
            }
        }
    }

    static final class LatchOnly {
        void run(java.util.concurrent.CountDownLatch latch) throws InterruptedException {
            latch.await();
        }
    }

    static final class NoLocks {
        int run(int x) {
            switch (x) {
                case 1: return 10;
                case 2: return 20;
                case 3: return 30;
                default: return x * 0xc2c3;
            }
        }

        int sparse(int x) {
            switch (x) {
                case 1000: return 1;
                case -5000: return 2;
                default: return 0;
            }
        }
    }
}
