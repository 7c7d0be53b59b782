package io.lockwatch.agent.instrument;

import io.lockwatch.runtime.track.CallSites;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.field.FieldList;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.pool.TypePool;

/**
 * Instruments the lock sites inside method bodies:
 * <ul>
 *   <li>before each {@code monitorenter}: {@code LockTracker.monitorEnter(lock, site)};</li>
 *   <li>before each {@code monitorexit}: {@code LockTracker.monitorExit(lock)} (javac's exception
 *       handlers exit the monitor with their own {@code monitorexit}, so exceptions are covered);</li>
 *   <li>each call of {@code lock}, {@code lockInterruptibly}, {@code tryLock} or {@code unlock} on a
 *       {@code java.util.concurrent.locks} lock becomes a call of the {@code LockTracker} method of the
 *       same name, which takes the lock itself and records it.</li>
 * </ul>
 * The inserted code only adds two stack slots and no branches, so no stack map frame changes.
 */
final class LockSiteVisitor implements AsmVisitorWrapper {
    static final String TRACKER = "io/lockwatch/runtime/track/LockTracker";
    private static final String LOCK = "java/util/concurrent/locks/Lock";

    @Override
    public int mergeWriter(int flags) {
        return flags;
    }

    @Override
    public int mergeReader(int flags) {
        return flags;
    }

    @Override
    public ClassVisitor wrap(TypeDescription instrumentedType, ClassVisitor classVisitor,
                             Implementation.Context implementationContext, TypePool typePool,
                             FieldList<FieldDescription.InDefinedShape> fields, MethodList<?> methods,
                             int writerFlags, int readerFlags) {
        return new ClassVisitor(Opcodes.ASM9, classVisitor) {
            private String className = instrumentedType.getName();
            private String sourceFile;

            @Override
            public void visitSource(String source, String debug) {
                sourceFile = source;
                super.visitSource(source, debug);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                return mv == null ? null : new SiteMethodVisitor(mv, className, name, sourceFile);
            }
        };
    }

    /** Is this a call of a lock method on a java.util.concurrent.locks lock type? */
    static boolean isLockOwner(String owner) {
        return owner.equals(LOCK)
                || owner.equals("java/util/concurrent/locks/ReentrantLock")
                || owner.equals("java/util/concurrent/locks/ReentrantReadWriteLock$ReadLock")
                || owner.equals("java/util/concurrent/locks/ReentrantReadWriteLock$WriteLock");
    }

    private static final class SiteMethodVisitor extends MethodVisitor {
        private final String className;
        private final String methodName;
        private final String sourceFile;
        private int line = -1;

        SiteMethodVisitor(MethodVisitor mv, String className, String methodName, String sourceFile) {
            super(Opcodes.ASM9, mv);
            this.className = className;
            this.methodName = methodName;
            this.sourceFile = sourceFile;
        }

        @Override
        public void visitLineNumber(int line, net.bytebuddy.jar.asm.Label start) {
            this.line = line;
            super.visitLineNumber(line, start);
        }

        private void pushSite() {
            super.visitLdcInsn(CallSites.register(className, methodName, sourceFile, line));
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.MONITORENTER) {
                super.visitInsn(Opcodes.DUP);
                pushSite();
                super.visitMethodInsn(Opcodes.INVOKESTATIC, TRACKER, "monitorEnter", "(Ljava/lang/Object;I)V", false);
            } else if (opcode == Opcodes.MONITOREXIT) {
                super.visitInsn(Opcodes.DUP);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, TRACKER, "monitorExit", "(Ljava/lang/Object;)V", false);
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            if ((opcode == Opcodes.INVOKEINTERFACE || opcode == Opcodes.INVOKEVIRTUAL) && isLockOwner(owner)) {
                String lockParam = "(L" + LOCK + ";";
                switch (name + descriptor) {
                    case "lock()V":
                        pushSite();
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, TRACKER, "lock", lockParam + "I)V", false);
                        return;
                    case "lockInterruptibly()V":
                        pushSite();
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, TRACKER, "lockInterruptibly", lockParam + "I)V", false);
                        return;
                    case "tryLock()Z":
                        pushSite();
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, TRACKER, "tryLock", lockParam + "I)Z", false);
                        return;
                    case "tryLock(JLjava/util/concurrent/TimeUnit;)Z":
                        pushSite();
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, TRACKER, "tryLock",
                                lockParam + "JLjava/util/concurrent/TimeUnit;I)Z", false);
                        return;
                    case "unlock()V":
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, TRACKER, "unlock", lockParam + ")V", false);
                        return;
                    default:
                        break;
                }
            }
            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(maxStack + 2, maxLocals);
        }
    }
}
