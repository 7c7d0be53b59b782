package io.lockwatch.agent.instrument;

import io.lockwatch.runtime.track.CallSites;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Rewrites each call of a waiting method on an owner-less synchronizer ({@code CountDownLatch},
 * {@code Semaphore}, {@code CyclicBarrier}, {@code Phaser}, {@code Condition}) into a call of the
 * {@code WaitTracker} method of the same name, with the synchronizer as first argument and the site's
 * number as last. The wrapper calls the original method, so behaviour is unchanged; it times the wait
 * only when it may block. The receiver and arguments are already on the stack in the right order, so
 * the rewrite only pushes one constant: no branches, no frame changes.
 */
final class WaitSiteVisitor {
    static final String WAITS = "io/lockwatch/runtime/track/WaitTracker";

    private static final String LATCH = "java/util/concurrent/CountDownLatch";
    private static final String SEMAPHORE = "java/util/concurrent/Semaphore";
    private static final String BARRIER = "java/util/concurrent/CyclicBarrier";
    private static final String PHASER = "java/util/concurrent/Phaser";
    private static final String CONDITION = "java/util/concurrent/locks/Condition";
    private static final String TIME_UNIT = "Ljava/util/concurrent/TimeUnit;";

    /** "owner.name+descriptor" of the original call -> the wrapper's first parameter type. */
    private static final Map<String, String> WRAPPED = new HashMap<>();
    private static final List<String> OWNERS = new ArrayList<>();
    private static final List<String> METHOD_NAMES = new ArrayList<>();

    static {
        wrap(LATCH, LATCH, "await", "()V");
        wrap(LATCH, LATCH, "await", "(J" + TIME_UNIT + ")Z");
        wrap(SEMAPHORE, SEMAPHORE, "acquire", "()V");
        wrap(SEMAPHORE, SEMAPHORE, "acquire", "(I)V");
        wrap(SEMAPHORE, SEMAPHORE, "acquireUninterruptibly", "()V");
        wrap(SEMAPHORE, SEMAPHORE, "acquireUninterruptibly", "(I)V");
        wrap(SEMAPHORE, SEMAPHORE, "tryAcquire", "(J" + TIME_UNIT + ")Z");
        wrap(SEMAPHORE, SEMAPHORE, "tryAcquire", "(IJ" + TIME_UNIT + ")Z");
        wrap(BARRIER, BARRIER, "await", "()I");
        wrap(BARRIER, BARRIER, "await", "(J" + TIME_UNIT + ")I");
        wrap(PHASER, PHASER, "arriveAndAwaitAdvance", "()I");
        wrap(PHASER, PHASER, "awaitAdvance", "(I)I");
        wrap(PHASER, PHASER, "awaitAdvanceInterruptibly", "(I)I");
        wrap(PHASER, PHASER, "awaitAdvanceInterruptibly", "(IJ" + TIME_UNIT + ")I");
        // Condition calls through the interface and through the JDK's implementation classes.
        for (String owner : new String[] {CONDITION, "java/util/concurrent/locks/AbstractQueuedSynchronizer$ConditionObject",
                "java/util/concurrent/locks/AbstractQueuedLongSynchronizer$ConditionObject"}) {
            wrap(owner, CONDITION, "await", "()V");
            wrap(owner, CONDITION, "await", "(J" + TIME_UNIT + ")Z");
            wrap(owner, CONDITION, "awaitNanos", "(J)J");
            wrap(owner, CONDITION, "awaitUninterruptibly", "()V");
            wrap(owner, CONDITION, "awaitUntil", "(Ljava/util/Date;)Z");
        }
    }

    private static void wrap(String owner, String parameterType, String name, String descriptor) {
        WRAPPED.put(owner + "." + name + descriptor, parameterType);
        if (!OWNERS.contains(owner)) OWNERS.add(owner);
        if (!METHOD_NAMES.contains(name)) METHOD_NAMES.add(name);
    }

    /** The names of the wait methods whose calls are rewritten (for the scanner's quick check). */
    static List<String> methodNames() {
        return METHOD_NAMES;
    }

    /** The internal names of every class whose wait calls are rewritten (for the scanner's quick check). */
    static List<String> owners() {
        return OWNERS;
    }

    /** Is this call one of the waits this visitor rewrites? (For the scan that picks classes to transform.) */
    static boolean isWaitSite(int opcode, String owner, String name, String descriptor) {
        return (opcode == Opcodes.INVOKEVIRTUAL || opcode == Opcodes.INVOKEINTERFACE)
                && wrapperDescriptor(owner, name, descriptor) != null;
    }

    /** @return the wrapper's descriptor for this call, or null when the call is not a wait we time */
    static String wrapperDescriptor(String owner, String name, String descriptor) {
        String parameterType = WRAPPED.get(owner + "." + name + descriptor);
        if (parameterType == null) return null;
        int close = descriptor.indexOf(')');
        return "(L" + parameterType + ";" + descriptor.substring(1, close) + "I" + descriptor.substring(close);
    }

    /**
     * The synchronizers themselves wait inside (a {@code CyclicBarrier} awaits a {@code Condition}): their
     * own call sites are not rewritten, so one barrier wait is one barrier wait, not also a condition wait.
     */
    static boolean isSynchronizerItself(String className) {
        return className.startsWith("java.util.concurrent.locks.")
                || className.startsWith("java.util.concurrent.CountDownLatch")
                || className.startsWith("java.util.concurrent.Semaphore")
                || className.startsWith("java.util.concurrent.CyclicBarrier")
                || className.startsWith("java.util.concurrent.Phaser");
    }

    /**
     * Wraps {@code next} so that the wait calls of class {@code internalName} are rewritten, in the methods
     * the scan found sites in (the others pass through untouched, so that ASM copies them as they are).
     */
    static ClassVisitor around(String internalName, ClassVisitor next, LockSiteScanner.Result scan) {
        String name = internalName.replace('/', '.');
        if (isSynchronizerItself(name)) return next;
        return new ClassVisitor(Opcodes.ASM9, next) {
            private final String className = name;
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
                if (mv == null || !scan.rewrites(LockSiteScanner.Result.key(name, descriptor))) return mv;
                return new WaitCallVisitor(mv, className, name, sourceFile);
            }
        };
    }

    private static final class WaitCallVisitor extends MethodVisitor {
        private final String className;
        private final String methodName;
        private final String sourceFile;
        private int line = -1;

        WaitCallVisitor(MethodVisitor mv, String className, String methodName, String sourceFile) {
            super(Opcodes.ASM9, mv);
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
            if (opcode == Opcodes.INVOKEVIRTUAL || opcode == Opcodes.INVOKEINTERFACE) {
                String wrapper = wrapperDescriptor(owner, name, descriptor);
                if (wrapper != null) {
                    super.visitLdcInsn(CallSites.register(className, methodName, sourceFile, line));
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, WAITS, name, wrapper, false);
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
