package io.lockwatch.agent.instrument;

import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Hooks in {@code java.lang.Thread} itself, for happens-before between threads: {@code start} and
 * {@code exit} (the JVM calls it as a thread ends) report on entry, {@code join} on every normal return.
 * Hooking the methods, not their callers, covers thread pools and the JDK's own threads too.
 *
 * <p>The hang detector's checks sit here as well: on entry of {@code start} (a thread that is not new is
 * started again: the method then throws its own IllegalThreadStateException, untouched) and of
 * {@code join} (a thread joining itself waits forever), see {@code ThreadCalls}.
 */
final class ThreadHooks {
    static final String THREAD = "java/lang/Thread";
    static final String THREAD_CALLS = "io/lockwatch/runtime/track/ThreadCalls";

    private ThreadHooks() {}

    static MethodVisitor wrap(MethodVisitor mv, String methodName) {
        switch (methodName) {
            case "start":
                return onEntry(onEntry(mv, SiteRewrites.TRACKER, "threadStarting", true), THREAD_CALLS, "starting", true);
            case "exit":
                return onEntry(mv, SiteRewrites.TRACKER, "threadExiting", false);
            case "join":
                return new MethodVisitor(Opcodes.ASM9, onEntry(mv, THREAD_CALLS, "joining", true)) {
                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                            super.visitVarInsn(Opcodes.ALOAD, 0);
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, SiteRewrites.TRACKER, "threadJoined",
                                    "(Ljava/lang/Thread;)V", false);
                        }
                        super.visitInsn(opcode);
                    }

                    @Override
                    public void visitMaxs(int maxStack, int maxLocals) {
                        super.visitMaxs(maxStack + 1, maxLocals);
                    }
                };
            default:
                return mv;
        }
    }

    private static MethodVisitor onEntry(MethodVisitor mv, String owner, String hook, boolean passThread) {
        return new MethodVisitor(Opcodes.ASM9, mv) {
            @Override
            public void visitCode() {
                super.visitCode();
                if (passThread) {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, owner, hook, "(Ljava/lang/Thread;)V", false);
                } else {
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, owner, hook, "()V", false);
                }
            }

            @Override
            public void visitMaxs(int maxStack, int maxLocals) {
                super.visitMaxs(maxStack + 1, maxLocals);
            }
        };
    }
}
