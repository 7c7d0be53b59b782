package io.lockwatch.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.runtime.track.CallSites;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/**
 * The raw rewriter must give the code the ASM visitors give: checked on every class of the running JDK
 * that has a lock site, method by method, instruction by instruction (read back with ASM, frames expanded,
 * branch targets as labels, each site number as the site it stands for).
 */
class ClassFileRewriterTest {

    @Test
    void rewritesEveryJdkClassWithSitesAsTheAsmVisitorsDo() throws IOException {
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        List<String> differences = new ArrayList<>();
        int rewritten = 0;
        int leftToAsm = 0;
        List<String> left = new ArrayList<>();
        try (Stream<Path> files = Files.walk(jrt.getPath("/modules"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (!file.toString().endsWith(".class") || file.getFileName().toString().equals("module-info.class")) continue;
                byte[] classFile = Files.readAllBytes(file);
                LockSiteScanner.Result scan = LockSiteScanner.scan(classFile);
                if (!scan.hasSites) continue;
                int asmFirst = CallSites.count() + 1; // count() is the number registered so far: ids from 1
                byte[] byAsm = LockSiteFilter.rewriteWithAsm(classFile, scan);
                int rawFirst = CallSites.count() + 1;
                byte[] raw = ClassFileRewriter.rewrite(classFile, scan);
                int rawEnd = CallSites.count() + 1;
                if (raw == null) {
                    leftToAsm++;
                    if (left.size() < 20) left.add(file.toString());
                    continue;
                }
                rewritten++;
                String expected = dump(byAsm, asmFirst, rawFirst);
                String actual = dump(raw, rawFirst, rawEnd);
                if (!expected.equals(actual)) differences.add(file + "\n" + firstDifference(expected, actual));
            }
        }
        System.out.println(rewritten + " JDK classes rewritten, " + leftToAsm + " left to ASM: " + left);
        assertEquals(List.of(), differences.subList(0, Math.min(3, differences.size())),
                differences.size() + " classes rewritten differently from the ASM visitors");
        // Only the shapes it leaves on purpose go to ASM: java.lang.Thread, and the odd class with type annotations in code.
        assertTrue(rewritten > 1000 && leftToAsm < rewritten / 50, rewritten + " rewritten, " + leftToAsm + " left to ASM: " + left);
    }

    /**
     * Shapes javac never makes, where LockSiteVisitor's rule for a release after a {@code monitorexit} inside
     * a try-catch range matters (on javac's shapes its two cases give the same place): a range that starts
     * before the one around the {@code monitorexit} ends, and a {@code monitorexit} inside a range that covers
     * its own handler and inside another range that ends first. {@link InstrumentedCode#instrument} compares
     * the two rewriters.
     */
    @Test
    void placesReleasesInOtherCompilersRangesAsTheAsmVisitorDoes() {
        ClassWriter writer = new ClassWriter(0);
        writer.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC, "shapes/Ranges", null, "java/lang/Object", null);

        MethodVisitor a = writer.visitMethod(Opcodes.ACC_STATIC, "rangeStartsBeforeTheOtherEnds", "(Ljava/lang/Object;)V", null, null);
        Label[] l = labels(6);
        a.visitCode();
        a.visitTryCatchBlock(l[0], l[2], l[4], null);
        a.visitTryCatchBlock(l[1], l[3], l[5], null);
        a.visitVarInsn(Opcodes.ALOAD, 0);
        a.visitInsn(Opcodes.DUP);
        a.visitVarInsn(Opcodes.ASTORE, 1);
        a.visitInsn(Opcodes.MONITORENTER);
        a.visitLabel(l[0]);
        a.visitVarInsn(Opcodes.ALOAD, 1);
        a.visitInsn(Opcodes.MONITOREXIT);
        a.visitLabel(l[1]); // a range starts: the release is not due yet
        a.visitInsn(Opcodes.NOP);
        a.visitLabel(l[2]); // the range around the monitorexit ends: due here
        a.visitInsn(Opcodes.NOP);
        a.visitLabel(l[3]);
        a.visitInsn(Opcodes.RETURN);
        a.visitLabel(l[4]);
        a.visitInsn(Opcodes.ATHROW);
        a.visitLabel(l[5]);
        a.visitInsn(Opcodes.ATHROW);
        a.visitMaxs(2, 2);
        a.visitEnd();

        MethodVisitor b = writer.visitMethod(Opcodes.ACC_STATIC, "selfCoveringRangeEndsLast", "(Ljava/lang/Object;)V", null, null);
        Label[] m = labels(4);
        b.visitCode();
        b.visitTryCatchBlock(m[0], m[3], m[1], null); // covers its own handler
        b.visitTryCatchBlock(m[0], m[2], m[1], null);
        b.visitVarInsn(Opcodes.ALOAD, 0);
        b.visitVarInsn(Opcodes.ASTORE, 1);
        b.visitLabel(m[0]);
        b.visitInsn(Opcodes.NOP);
        b.visitLabel(m[1]);
        b.visitVarInsn(Opcodes.ALOAD, 1);
        b.visitInsn(Opcodes.MONITOREXIT);
        b.visitInsn(Opcodes.NOP);
        b.visitLabel(m[2]); // the other range ends: not due yet
        b.visitInsn(Opcodes.NOP);
        b.visitLabel(m[3]); // no range that covers its handler is open any more: due here
        b.visitInsn(Opcodes.NOP);
        b.visitInsn(Opcodes.RETURN);
        b.visitMaxs(2, 2);
        b.visitEnd();
        writer.visitEnd();

        InstrumentedCode.instrument(writer.toByteArray());
    }

    @java.lang.annotation.Target(java.lang.annotation.ElementType.TYPE_USE)
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @interface Checked {}

    /** A lock site in code with a type annotation. */
    static final class TypeAnnotated {
        static void locked(Object lock) {
            @Checked Object held = lock;
            synchronized (held) {
                lock.hashCode();
            }
        }
    }

    /**
     * ConcurrentHashMap's blocks lock its bins: their entries pass the map along ({@code this}), so that the
     * graph sees the map's bins as one lock. Any other class's blocks stay ordinary monitor entries.
     */
    @Test
    void concurrentHashMapsBlocksPassTheMapAlong() throws IOException {
        byte[] map = jdkClassFile("/java/util/concurrent/ConcurrentHashMap.class");
        String bins = PASSES_THIS_ALONG;
        for (String method : List.of("putVal", "replaceNode", "computeIfAbsent", "compute", "merge", "clear", "transfer")) {
            List<String> code = InstrumentedCode.instrumentedCode(map, method);
            int enters = java.util.Collections.frequency(code, "MONITORENTER");
            assertTrue(enters > 0, method + ": " + code);
            assertEquals(enters, java.util.Collections.frequency(code, bins), method + ": every block is a bin's: " + code);
            assertFalse(code.stream().anyMatch(i -> i.contains("LockTracker.monitorEnter")), method + ": " + code);
        }
        byte[] other = InstrumentedCode.javacClass(TypeAnnotated.class, "shapes/TypeAnnotated");
        assertFalse(InstrumentedCode.instrumentedCode(other, "locked").contains(bins));
    }

    /**
     * The class loaders' loading blocks lock {@code getClassLoadingLock(name)} and pass the loader along, so
     * that the graph sees a parallel-capable loader's per-name locks as one lock (the runtime keeps a lock that
     * is the loader itself, a loader that is not parallel-capable, as the loader's own monitor).
     */
    @Test
    void classLoadersLoadingBlocksPassTheLoaderAlong() throws IOException {
        for (String[] loader : List.of(new String[] {"/java/lang/ClassLoader.class", "loadClass"},
                new String[] {"/jdk/internal/loader/BuiltinClassLoader.class", "loadClassOrNull"})) {
            List<String> code = InstrumentedCode.instrumentedCode(jdkClassFile(loader[0]), loader[1]);
            int enters = java.util.Collections.frequency(code, "MONITORENTER");
            assertTrue(enters > 0, loader[1] + ": " + code);
            assertEquals(enters, java.util.Collections.frequency(code, PASSES_THIS_ALONG),
                    loader[1] + ": every block's lock is a class-loading lock: " + code);
        }
    }

    /** The monitor entry that passes {@code this} (the map, the loader) along after the object locked. */
    private static final String PASSES_THIS_ALONG = "INVOKESTATIC io/lockwatch/runtime/track/LockTracker.binMonitorEnter"
            + "(Ljava/lang/Object;Ljava/lang/Object;ILjava/lang/Object;)Ljava/lang/Object;";

    /** A JDK class file, as its module serves it ({@code /java/lang/ClassLoader.class}). */
    private static byte[] jdkClassFile(String resource) throws IOException {
        try (java.io.InputStream in = Object.class.getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }

    /** Offsets in type annotations are not rewritten here: the class goes to ASM, and is instrumented all the same. */
    @Test
    void leavesCodeWithTypeAnnotationsToAsm() {
        byte[] classFile = InstrumentedCode.javacClass(TypeAnnotated.class, "shapes/TypeAnnotated");
        assertEquals(null, ClassFileRewriter.rewrite(classFile, LockSiteScanner.scan(classFile)));
        assertTrue(InstrumentedCode.instrumentedCode(classFile, "locked").contains("MONITORENTER"));
        assertTrue(InstrumentedCode.instrumentedCode(classFile, "locked")
                .contains("INVOKESTATIC io/lockwatch/runtime/track/LockTracker.monitorEnter(Ljava/lang/Object;ILjava/lang/Object;)Ljava/lang/Object;"));
    }

    /**
     * Names beyond ASCII: the rewriter reads the class's own name and writes its fields' and types' names into
     * the constants it appends, both with a shortcut for ASCII. Classes named with a character beyond Latin-1
     * (which the JDK's Latin-1 encoder writes as '?'), and with Latin-1 letters and a '?' itself, with such
     * fields in a nest of monitors: both rewriters agree, and the JVM takes the result.
     */
    @Test
    void rewritesNamesBeyondAsciiAsTheAsmVisitorsDo() {
        for (String name : List.of("shapes/\u9396", "shapes/Gr\u00f6\u00dfe?")) {
            byte[] classFile = InstrumentedCode.javacClass(NonAsciiNames.class, name);
            LockSiteScanner.Result scan = LockSiteScanner.scan(classFile);
            int asmFirst = CallSites.count() + 1;
            byte[] byAsm = LockSiteFilter.rewriteWithAsm(classFile, scan);
            int rawFirst = CallSites.count() + 1;
            byte[] raw = ClassFileRewriter.rewrite(classFile, scan);
            int rawEnd = CallSites.count() + 1;
            assertTrue(raw != null, name + " left to ASM");
            String rewritten = dump(raw, rawFirst, rawEnd);
            assertEquals(dump(byAsm, asmFirst, rawFirst), rewritten, name);
            assertTrue(rewritten.contains("frame -1 [" + name + "," + name + ","), rewritten); // the frames name the class
            assertEquals(name.replace('/', '.'), InstrumentedCode.define(name.replace('/', '.'), raw).getName());
        }
    }

    /** Identifiers beyond ASCII, in a nest of monitors on final fields (a nest names its outer lock's field). */
    static final class NonAsciiNames {
        private final Object \u9396 = new Object();
        private final Object schl\u00fcssel = new Object();

        synchronized void pr\u00fcfe(NonAsciiNames \u00e4ndern) {
            synchronized (\u9396) {
                synchronized (schl\u00fcssel) {
                    \u00e4ndern.hashCode();
                }
            }
        }
    }

    private static Label[] labels(int n) {
        Label[] labels = new Label[n];
        for (int i = 0; i < n; i++) labels[i] = new Label();
        return labels;
    }

    /**
     * The libraries on the test class path (Kotlin's, Scala's and Groovy's standard libraries and H2 are there
     * for this test, next to Byte Buddy, Micrometer and JUnit): other compilers' and authors' bytecode,
     * rewritten both ways and compared like the JDK's classes.
     * (Once by hand over the 1,071 jars of a local Maven repository, Kotlin's, Scala's and Groovy's among
     * them: 91,472 classes, 3,241 with lock sites, 2,750 rewritten raw with no difference, 491 left to ASM,
     * 488 of those class files older than Java 6.)
     */
    @Test
    void rewritesTheLibrariesOnTheClassPathAsTheAsmVisitorsDo() throws IOException {
        List<String> differences = new ArrayList<>();
        int rewritten = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.endsWith(".jar")) continue;
            try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(entry)) {
                for (java.util.zip.ZipEntry e : java.util.Collections.list(jar.entries())) {
                    if (!e.getName().endsWith(".class") || e.getName().endsWith("module-info.class")) continue;
                    byte[] classFile;
                    try (java.io.InputStream in = jar.getInputStream(e)) {
                        classFile = in.readAllBytes();
                    }
                    LockSiteScanner.Result scan = LockSiteScanner.scan(classFile);
                    if (!scan.hasSites) continue;
                    int asmFirst = CallSites.count() + 1;
                    byte[] byAsm = LockSiteFilter.rewriteWithAsm(classFile, scan);
                    int rawFirst = CallSites.count() + 1;
                    byte[] raw = ClassFileRewriter.rewrite(classFile, scan);
                    if (raw == null) continue;
                    rewritten++;
                    String expected = dump(byAsm, asmFirst, rawFirst);
                    String actual = dump(raw, rawFirst, CallSites.count() + 1);
                    if (!expected.equals(actual)) differences.add(entry + "!" + e.getName() + "\n" + firstDifference(expected, actual));
                }
            }
        }
        assertEquals(List.of(), differences.subList(0, Math.min(3, differences.size())),
                differences.size() + " library classes rewritten differently from the ASM visitors");
        assertTrue(rewritten > 200, rewritten + " library classes with lock sites rewritten");
    }

    private static String firstDifference(String expected, String actual) {
        String[] e = expected.split("\n");
        String[] a = actual.split("\n");
        for (int i = 0; i < Math.min(e.length, a.length); i++) {
            if (!e[i].equals(a[i])) {
                int from = Math.max(0, i - 8);
                return "asm: " + String.join("\n     ", Arrays.copyOfRange(e, from, Math.min(e.length, i + 60)))
                        + "\nraw: " + String.join("\n     ", Arrays.copyOfRange(a, from, Math.min(a.length, i + 60)));
            }
        }
        return "lengths " + e.length + " / " + a.length;
    }

    /**
     * Every method's code as text; site numbers in [sitesFrom, sitesTo) are shown as the sites they stand for.
     * Labels nothing refers to are left out: ASM's reader makes one at a {@code new} whenever the stack map
     * table's bytes happen to hold 8 (its tag for an uninitialized value) followed by that offset.
     */
    static String dump(byte[] classFile, int sitesFrom, int sitesTo) {
        StringBuilder out = new StringBuilder();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                out.append("method ").append(access).append(' ').append(name).append(descriptor).append('\n');
                return new CodeDump(out, sitesFrom, sitesTo);
            }
        }, ClassReader.EXPAND_FRAMES);
        return out.toString();
    }

    private static final class CodeDump extends MethodVisitor {
        private final StringBuilder methodOut;
        private final StringBuilder out = new StringBuilder();
        private final int sitesFrom;
        private final int sitesTo;
        private final Map<Label, Integer> labels = new IdentityHashMap<>();

        CodeDump(StringBuilder out, int sitesFrom, int sitesTo) {
            super(Opcodes.ASM9);
            this.methodOut = out;
            this.sitesFrom = sitesFrom;
            this.sitesTo = sitesTo;
        }

        private String label(Label label) {
            return "L" + labels.computeIfAbsent(label, l -> labels.size());
        }

        private void line(Object... parts) {
            for (Object part : parts) out.append(part).append(' ');
            out.append('\n');
        }

        private String types(int n, Object[] types) {
            StringBuilder s = new StringBuilder("[");
            for (int i = 0; i < n; i++) s.append(types[i] instanceof Label ? label((Label) types[i]) : String.valueOf(types[i])).append(',');
            return s.append(']').toString();
        }

        @Override public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            line("frame", type, types(numLocal, local), types(numStack, stack));
        }
        @Override public void visitInsn(int opcode) { line("insn", opcode); }
        @Override public void visitIntInsn(int opcode, int operand) { line("int", opcode, operand); }
        @Override public void visitVarInsn(int opcode, int var) { line("var", opcode, var); }
        @Override public void visitTypeInsn(int opcode, String type) { line("type", opcode, type); }
        @Override public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            line("field", opcode, owner, name, descriptor);
        }
        @Override public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            line("call", opcode, owner, name, descriptor, isInterface);
        }
        @Override public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
            line("indy", name, descriptor, bootstrap, Arrays.toString(arguments));
        }
        @Override public void visitJumpInsn(int opcode, Label label) { line("jump", opcode, label(label)); }
        @Override public void visitLabel(Label label) { line("label", label(label)); }
        @Override public void visitLdcInsn(Object value) {
            if (value instanceof Integer && (Integer) value >= sitesFrom && (Integer) value < sitesTo) {
                line("ldc site", CallSites.site((Integer) value));
            } else {
                line("ldc", value.getClass().getSimpleName(), value);
            }
        }
        @Override public void visitIincInsn(int var, int increment) { line("iinc", var, increment); }
        @Override public void visitTableSwitchInsn(int min, int max, Label dflt, Label... targets) {
            StringBuilder s = new StringBuilder();
            for (Label target : targets) s.append(label(target)).append(',');
            line("tableswitch", min, max, label(dflt), s);
        }
        @Override public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] targets) {
            StringBuilder s = new StringBuilder();
            for (Label target : targets) s.append(label(target)).append(',');
            line("lookupswitch", label(dflt), Arrays.toString(keys), s);
        }
        @Override public void visitMultiANewArrayInsn(String descriptor, int dimensions) { line("multianewarray", descriptor, dimensions); }
        @Override public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
            line("try", label(start), label(end), label(handler), type);
        }
        @Override public void visitLocalVariable(String name, String descriptor, String signature, Label start, Label end, int index) {
            line("local", name, descriptor, signature, label(start), label(end), index);
        }
        @Override public void visitLineNumber(int lineNumber, Label start) { line("line", lineNumber, label(start)); }
        @Override public void visitMaxs(int maxStack, int maxLocals) { line("maxs", maxStack, maxLocals); }

        /** Drops the labels nothing refers to, then numbers the others in order. */
        @Override public void visitEnd() {
            String[] lines = out.toString().split("\n");
            java.util.Set<String> referenced = new java.util.HashSet<>();
            java.util.regex.Pattern name = java.util.regex.Pattern.compile("\\bL\\d+\\b");
            for (String l : lines) {
                if (l.startsWith("label ")) continue;
                java.util.regex.Matcher m = name.matcher(l);
                while (m.find()) referenced.add(m.group());
            }
            Map<String, String> renamed = new java.util.HashMap<>();
            for (String l : lines) {
                if (l.startsWith("label ") && !referenced.contains(l.substring(6).trim())) continue;
                java.util.regex.Matcher m = name.matcher(l);
                StringBuilder s = new StringBuilder();
                while (m.find()) m.appendReplacement(s, renamed.computeIfAbsent(m.group(), k -> "M" + renamed.size()));
                m.appendTail(s);
                methodOut.append(s).append('\n');
            }
        }
    }
}
