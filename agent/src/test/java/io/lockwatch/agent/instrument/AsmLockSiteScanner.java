package io.lockwatch.agent.instrument;

import java.util.HashSet;
import java.util.Set;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The scan as it was written first, with ASM's visitors: kept as the reference that
 * {@link LockSiteScanner}, which reads the raw class file, must agree with on every class.
 */
final class AsmLockSiteScanner {
    private AsmLockSiteScanner() {}

    static LockSiteScanner.Result scan(byte[] classFile) {
        LockSiteScanner.Result result = new LockSiteScanner.Result();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                              String[] interfaces) {
                if (name.equals(ThreadHooks.THREAD)) {
                    result.hasSites = true;
                    result.allMethods = true;
                }
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return new MethodScan(result, access, name + descriptor);
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return result;
    }

    /** One method: its sites, and whether a synchronized instance method overwrites {@code this}. */
    private static final class MethodScan extends MethodVisitor {
        private final LockSiteScanner.Result result;
        private final String method;
        private final boolean synchronizedInstance;

        MethodScan(LockSiteScanner.Result result, int access, String method) {
            super(Opcodes.ASM9);
            this.result = result;
            this.method = method;
            this.synchronizedInstance = (access & Opcodes.ACC_SYNCHRONIZED) != 0 && (access & Opcodes.ACC_STATIC) == 0;
            if ((access & Opcodes.ACC_SYNCHRONIZED) != 0) found();
        }

        private void found() {
            result.hasSites = true;
            result.methodsWithSites.add(method);
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.MONITORENTER || opcode == Opcodes.MONITOREXIT) found();
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean itf) {
            if (SiteRewrites.isSite(opcode, owner, name, descriptor)
                    || WaitSiteVisitor.isWaitSite(opcode, owner, name, descriptor)) {
                found();
            }
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            if (synchronizedInstance && var == 0 && opcode >= Opcodes.ISTORE && opcode <= Opcodes.ASTORE) {
                result.thisOverwritten.add(method);
            }
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            if (synchronizedInstance && var == 0) result.thisOverwritten.add(method);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            if (result.methodsWithSites.contains(method)) result.maxLocals.put(method, maxLocals);
        }
    }
}
