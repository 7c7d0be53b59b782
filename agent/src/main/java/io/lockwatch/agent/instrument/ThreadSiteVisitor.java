package io.lockwatch.agent.instrument;

import io.lockwatch.runtime.track.CallSites;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.field.FieldList;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.pool.TypePool;

/**
 * Rewrites the call sites of {@code Thread.join} (all three overloads) and {@code Thread.start()} to the
 * {@code ThreadCalls} method of the same name, which takes the thread, the same arguments and the site's
 * number, notices a self-join or a second start, and then makes the original call.
 *
 * <p>{@code javac} names the static type of the receiver as the call's owner, so {@code worker.start()} on
 * a {@code class Worker extends Thread} has owner {@code Worker}. Such a site is rewritten only when the
 * type pool can tell the owner is a {@code Thread}; otherwise (a class of its own with a {@code start()}
 * method, or a type that cannot be resolved) the call is left alone. The wrapper calls {@code start()}
 * virtually, so a subclass's own {@code start()} still runs.
 *
 * <p>JDK classes are never rewritten: {@code Thread}'s own join overloads call each other, and the JDK's
 * thread pools are not where these mistakes are made.
 */
final class ThreadSiteVisitor implements AsmVisitorWrapper {
    static final String THREAD_CALLS = "io/lockwatch/runtime/track/ThreadCalls";
    private static final String THREAD = "java/lang/Thread";

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
        if (isJdk(instrumentedType.getName())) return classVisitor;
        return new ClassVisitor(Opcodes.ASM9, classVisitor) {
            private final String className = instrumentedType.getName();
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
                return mv == null ? null : new CallMethodVisitor(mv, typePool, className, name, sourceFile);
            }
        };
    }

    static boolean isJdk(String className) {
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.");
    }

    /** The wrapper's descriptor for a Thread method's descriptor, or null if it is not one we rewrite. */
    static String wrapperDescriptor(String name, String descriptor) {
        switch (name + descriptor) {
            case "join()V":
                return "(Ljava/lang/Thread;I)V";
            case "join(J)V":
                return "(Ljava/lang/Thread;JI)V";
            case "join(JI)V":
                return "(Ljava/lang/Thread;JII)V";
            case "start()V":
                return "(Ljava/lang/Thread;I)V";
            default:
                return null;
        }
    }

    /** Is the owner of the call a Thread? Unknown counts as no: the call is then left as it is. */
    static boolean isThread(String owner, TypePool typePool) {
        if (owner.equals(THREAD)) return true;
        if (owner.startsWith("[")) return false;
        try {
            TypePool.Resolution resolution = typePool.describe(owner.replace('/', '.'));
            return resolution.isResolved() && resolution.resolve().isAssignableTo(Thread.class);
        } catch (Throwable e) {
            return false; // a super class that cannot be found: not provably a Thread
        }
    }

    private static final class CallMethodVisitor extends MethodVisitor {
        private final TypePool typePool;
        private final String className;
        private final String methodName;
        private final String sourceFile;
        private int line = -1;

        CallMethodVisitor(MethodVisitor mv, TypePool typePool, String className, String methodName, String sourceFile) {
            super(Opcodes.ASM9, mv);
            this.typePool = typePool;
            this.className = className;
            this.methodName = methodName;
            this.sourceFile = sourceFile;
        }

        @Override
        public void visitLineNumber(int line, Label start) {
            this.line = line;
            super.visitLineNumber(line, start);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            if (opcode == Opcodes.INVOKEVIRTUAL && !isInterface) {
                String wrapper = wrapperDescriptor(name, descriptor);
                if (wrapper != null && isThread(owner, typePool)) {
                    // The receiver and arguments are already on the stack, in the wrapper's order; add the site.
                    super.visitLdcInsn(CallSites.register(className, methodName, sourceFile, line));
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, THREAD_CALLS, name, wrapper, false);
                    return;
                }
            }
            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(maxStack + 1, maxLocals);
        }
    }
}
