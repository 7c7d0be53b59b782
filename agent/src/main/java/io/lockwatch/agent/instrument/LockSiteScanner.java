package io.lockwatch.agent.instrument;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * A quick read of a class file before anything is changed: does the class take any lock at all (most do
 * not, and those are left exactly as they are), and which synchronized methods cannot be instrumented
 * safely. A plain ASM read costs microseconds.
 */
final class LockSiteScanner {
    /** What the scan found. */
    static final class Result {
        boolean hasSites;
        /** Synchronized instance methods (name + descriptor) whose code overwrites local 0 ({@code this}). */
        final Set<String> thisOverwritten = new HashSet<>();
        /** Each method's number of local variable slots (name + descriptor): the next one is free for us. */
        final Map<String, Integer> maxLocals = new HashMap<>();

        /** @return the first free local variable slot of the method, or -1 when unknown */
        int freeLocal(String name, String descriptor) {
            Integer max = maxLocals.get(name + descriptor);
            return max == null ? -1 : max;
        }
    }

    private LockSiteScanner() {}

    static Result scan(byte[] classFile) {
        Result result = new Result();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                              String[] interfaces) {
                if (name.equals(ThreadHooks.THREAD)) result.hasSites = true;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                boolean synchronizedInstance = (access & Opcodes.ACC_SYNCHRONIZED) != 0
                        && (access & Opcodes.ACC_STATIC) == 0;
                if ((access & Opcodes.ACC_SYNCHRONIZED) != 0) result.hasSites = true;
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.MONITORENTER || opcode == Opcodes.MONITOREXIT) result.hasSites = true;
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                        if (SiteRewrites.isSite(opcode, owner, method, desc)
                                || WaitSiteVisitor.isWaitSite(opcode, owner, method, desc)) {
                            result.hasSites = true;
                        }
                    }

                    @Override
                    public void visitVarInsn(int opcode, int var) {
                        if (synchronizedInstance && var == 0 && opcode >= Opcodes.ISTORE && opcode <= Opcodes.ASTORE) {
                            result.thisOverwritten.add(name + descriptor);
                        }
                    }

                    @Override
                    public void visitMaxs(int maxStack, int maxLocals) {
                        result.maxLocals.put(name + descriptor, maxLocals);
                    }

                    @Override
                    public void visitIincInsn(int var, int increment) {
                        if (synchronizedInstance && var == 0) result.thisOverwritten.add(name + descriptor);
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return result;
    }
}
