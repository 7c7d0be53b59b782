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

    /** @return true when {@code method} of the class is left as it is: its lock is private to one thread ({@link IgnoreRules#THREAD_PRIVATE}) */
    static boolean isThreadPrivate(String className, String method) {
        for (String[] rule : IgnoreRules.THREAD_PRIVATE) {
            if (rule[0].equals(className) && rule[1].equals(method)) return true;
        }
        return false;
    }

    static LockSiteScanner.Result scan(byte[] classFile) {
        LockSiteScanner.Result result = new LockSiteScanner.Result();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            private String className;

            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                              String[] interfaces) {
                className = name.replace('/', '.');
                if (name.equals(ThreadHooks.THREAD) || name.equals(ThreadHooks.VIRTUAL_THREAD)
                        || name.equals(ThreadHooks.FUTURE_TASK) || name.equals(ThreadHooks.BLOCKER)) {
                    result.hasSites = true;
                    result.allMethods = true;
                }
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if (isThreadPrivate(className, name)) return null;
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

    /**
     * The leaves the raw-byte scan found ({@link LeafSections}), each checked again with ASM's visitors for
     * what a leaf must not contain: a call, a monitor instruction, a class to load or initialize, a field of
     * another class. A leaf method is checked whole; a leaf block from its {@code monitorenter} to the next
     * {@code monitorexit}; a leaf {@code lock()} to the next call, which must be an {@code unlock()}. (A
     * weaker check than the scan's, which also follows jumps and handlers: it catches a misread
     * instruction, not a wrong rule.)
     *
     * @return what was wrong, one line each; counts[0], [1] and [2] get the leaf methods, blocks and locks checked
     */
    static java.util.List<String> leafViolations(byte[] classFile, LockSiteScanner.Result scan, int[] counts) {
        java.util.List<String> violations = new java.util.ArrayList<>();
        ClassReader reader = new ClassReader(classFile);
        String owner = reader.getClassName();
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                String method = name + descriptor;
                boolean leafMethod = scan.leafMethods.contains(method);
                if (leafMethod) counts[0]++;
                if (!leafMethod && !scan.sections.containsKey(method)) return null;
                LeafSections.Found sections = scan.sections(method);
                return new MethodVisitor(Opcodes.ASM9) {
                    private int enters;
                    private int locks;
                    private boolean inLeafBlock;
                    private boolean inLeafLock;

                    private boolean checking() {
                        return leafMethod || inLeafBlock || inLeafLock;
                    }

                    private void violation(String what) {
                        if (checking()) violations.add(owner + "." + method + ": " + what);
                    }

                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.MONITOREXIT) {
                            if (leafMethod) violation("monitorexit");
                            inLeafBlock = false;
                        } else if (opcode == Opcodes.MONITORENTER) {
                            violation("monitorenter");
                            inLeafBlock = sections.isLeafBlock(enters++);
                            if (inLeafBlock) counts[1]++;
                        }
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String callOwner, String callName, String callDescriptor, boolean itf) {
                        SiteRewrites.Rewrite rewrite = SiteRewrites.rewriteFor(opcode, callOwner, callName, callDescriptor);
                        if (inLeafLock && rewrite != null && rewrite.name.equals("unlock")) {
                            inLeafLock = false;
                            return;
                        }
                        violation("call " + callOwner + "." + callName);
                        if (rewrite != null && rewrite.name.equals("lock")) {
                            inLeafLock = sections.isLeafLock(locks++);
                            if (inLeafLock) counts[2]++;
                        }
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String indyName, String indyDescriptor, net.bytebuddy.jar.asm.Handle bootstrap,
                                                       Object... arguments) {
                        violation("invokedynamic");
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        violation("type instruction " + opcode + " " + type);
                    }

                    @Override
                    public void visitMultiANewArrayInsn(String type, int dimensions) {
                        violation("multianewarray");
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String fieldOwner, String fieldName, String fieldDescriptor) {
                        if (!fieldOwner.equals(owner)) violation("field of " + fieldOwner);
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        if (!(value instanceof Number || value instanceof String)) violation("ldc " + value);
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return violations;
    }
}
