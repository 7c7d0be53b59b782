package io.lockwatch.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.lockwatch.runtime.track.CallSites;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.SimpleRemapper;

/** What the instrumentation makes of a class, for the tests of its placement and choices. */
final class InstrumentedCode {
    private InstrumentedCode() {}

    /**
     * The class file instrumented as the agent would; it must have a lock site. The raw rewriter the agent
     * uses must give what ASM's visitors give (unless it leaves the class to them), so every test of the
     * instrumentation checks that on its own shapes too.
     */
    static byte[] instrument(byte[] classFile) {
        String name = new ClassReader(classFile).getClassName();
        byte[] out = new LockSiteFilter(List.of()).transform(null, null, name, null, null, classFile);
        assertNotNull(out, name + " has a lock site and must be instrumented");
        LockSiteScanner.Result scan = LockSiteScanner.scan(classFile);
        int asmFirst = CallSites.count() + 1;
        byte[] byAsm = LockSiteFilter.rewriteWithAsm(classFile, scan);
        int rawFirst = CallSites.count() + 1;
        byte[] raw = ClassFileRewriter.rewrite(classFile, scan);
        if (raw != null) {
            assertEquals(ClassFileRewriterTest.dump(byAsm, asmFirst, rawFirst),
                    ClassFileRewriterTest.dump(raw, rawFirst, CallSites.count() + 1), name + ": raw rewrite and ASM's");
        }
        return out;
    }

    /** The instrumented method's instructions as text: opcodes, calls as "INVOKESTATIC owner.name(desc)", and LABEL. */
    static List<String> instrumentedCode(byte[] classFile, String method) {
        List<String> code = new ArrayList<>();
        new ClassReader(instrument(classFile)).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                if (!name.equals(method)) return null;
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitLabel(Label label) {
                        code.add("LABEL");
                    }

                    @Override
                    public void visitInsn(int opcode) {
                        code.add(opcode == Opcodes.MONITOREXIT ? "MONITOREXIT"
                                : opcode == Opcodes.MONITORENTER ? "MONITORENTER" : "INSN " + opcode);
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean itf) {
                        code.add((opcode == Opcodes.INVOKESTATIC ? "INVOKESTATIC " : "INVOKE " + opcode + " ")
                                + owner + "." + name + descriptor);
                    }
                };
            }
        }, 0);
        return code;
    }

    /**
     * A nested class of a test as javac compiled it, renamed to {@code newName} (and out of its nest):
     * lockwatch leaves its own classes alone, so the original name would not be instrumented.
     */
    static byte[] javacClass(Class<?> nested, String newName) {
        String resource = nested.getName().substring(nested.getName().lastIndexOf('.') + 1) + ".class";
        byte[] original;
        try (InputStream in = nested.getResourceAsStream(resource)) {
            original = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ClassWriter writer = new ClassWriter(0);
        ClassVisitor outOfNest = new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visitNestHost(String nestHost) {}

            @Override
            public void visitInnerClass(String name, String outerName, String innerName, int access) {}
        };
        new ClassReader(original).accept(
                new ClassRemapper(outOfNest, new SimpleRemapper(nested.getName().replace('.', '/'), newName)), 0);
        return writer.toByteArray();
    }

    /** Defines the class in a loader of its own, so that this copy is the one that runs (and is verified). */
    static Class<?> define(String name, byte[] classFile) {
        return new ClassLoader(InstrumentedCode.class.getClassLoader()) {
            Class<?> load() {
                return defineClass(name, classFile, 0, classFile.length);
            }
        }.load();
    }
}
