package io.lockwatch.agent.instrument;

import io.lockwatch.runtime.track.CallSites;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Makes every lock site of a class call the runtime ({@code LockTracker}):
 * <ul>
 *   <li>before each {@code monitorenter}: {@code monitorEnter(lock, site)}; before each
 *       {@code monitorexit}: {@code monitorExit(lock)}. javac's exception handlers leave a monitor with
 *       their own {@code monitorexit}, so exceptions are covered.</li>
 *   <li>a {@code synchronized} method: {@code monitorEnter(this or the class, site)} on entry, and
 *       {@code monitorExit} before every return and in a catch-all handler appended after the code, which
 *       rethrows. The handler comes last in the exception table, so the method's own handlers still see
 *       their exceptions first.</li>
 *   <li>calls listed in {@link SiteRewrites} ({@code Lock.lock()} and friends) become calls of the runtime
 *       method of the same name, with the site's number.</li>
 * </ul>
 * Inserted code only pushes values and calls static methods; the one new branch target, the handler, gets
 * a frame of its own. So the original frames stay valid and nothing needs recomputing (which would load
 * classes in the middle of class loading).
 */
final class LockSiteVisitor extends ClassVisitor {
    private final LockSiteScanner.Result scan;
    private String owner;
    private String className;
    private String sourceFile;
    private int version;

    LockSiteVisitor(ClassVisitor next, LockSiteScanner.Result scan) {
        super(Opcodes.ASM9, next);
        this.scan = scan;
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
        this.version = version;
        this.owner = name;
        this.className = name.replace('/', '.');
        super.visit(version, access, name, signature, superName, interfaces);
    }

    @Override
    public void visitSource(String source, String debug) {
        sourceFile = source;
        super.visitSource(source, debug);
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
        MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
        if (mv == null || (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) return mv;
        // A method without sites is handed straight to the writer, which then copies it as it is.
        if (!scan.rewrites(name, descriptor)) return mv;
        boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
        boolean trackMethodMonitor = (access & Opcodes.ACC_SYNCHRONIZED) != 0
                && (isStatic ? supportsClassConstants() : !scan.thisOverwritten.contains(name + descriptor));
        mv = new SiteMethodVisitor(mv, name, isStatic, trackMethodMonitor);
        return owner.equals(ThreadHooks.THREAD) ? ThreadHooks.wrap(mv, name) : mv;
    }

    /** {@code ldc} of a class constant needs class file version 49 (Java 5). */
    private boolean supportsClassConstants() {
        return (version & 0xFFFF) >= Opcodes.V1_5;
    }

    /** Class files from version 50 on carry stack map frames; a new branch target needs one. */
    private boolean hasFrames() {
        return (version & 0xFFFF) >= Opcodes.V1_6;
    }

    private final class SiteMethodVisitor extends MethodVisitor {
        private final String methodName;
        private final boolean isStatic;
        private final boolean trackMethodMonitor;
        private final Label bodyStart = new Label();
        private int line = -1;
        private int methodSite = -1;

        SiteMethodVisitor(MethodVisitor mv, String methodName, boolean isStatic, boolean trackMethodMonitor) {
            super(Opcodes.ASM9, mv);
            this.methodName = methodName;
            this.isStatic = isStatic;
            this.trackMethodMonitor = trackMethodMonitor;
        }

        private int site() {
            return CallSites.register(className, methodName, sourceFile, line);
        }

        private void pushMethodMonitor() {
            if (isStatic) super.visitLdcInsn(Type.getObjectType(owner));
            else super.visitVarInsn(Opcodes.ALOAD, 0);
        }

        @Override
        public void visitCode() {
            super.visitCode();
            if (trackMethodMonitor) {
                // The JVM has taken the monitor already; record it, then open the range the handler covers.
                pushMethodMonitor();
                super.visitLdcInsn(methodSite());
                super.visitMethodInsn(Opcodes.INVOKESTATIC, SiteRewrites.TRACKER, "monitorEnter", "(Ljava/lang/Object;I)V", false);
                super.visitLabel(bodyStart);
            }
        }

        /** A synchronized method's site: the method, at its first line once known. */
        private int methodSite() {
            if (methodSite < 0) methodSite = CallSites.register(className, methodName, sourceFile, -1);
            return methodSite;
        }

        @Override
        public void visitLineNumber(int line, Label start) {
            this.line = line;
            super.visitLineNumber(line, start);
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.MONITORENTER) {
                super.visitInsn(Opcodes.DUP);
                super.visitLdcInsn(site());
                super.visitMethodInsn(Opcodes.INVOKESTATIC, SiteRewrites.TRACKER, "monitorEnter", "(Ljava/lang/Object;I)V", false);
            } else if (opcode == Opcodes.MONITOREXIT) {
                // Recorded just before the release. (Calling after monitorexit was measured: it doubled the
                // cost of a nested synchronized loop on JDK 17, which the JIT compiles worse that way.)
                super.visitInsn(Opcodes.DUP);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, SiteRewrites.TRACKER, "monitorExit", "(Ljava/lang/Object;)V", false);
            } else if (trackMethodMonitor && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                exitMethodMonitor();
            }
            super.visitInsn(opcode);
        }

        private void exitMethodMonitor() {
            pushMethodMonitor();
            super.visitMethodInsn(Opcodes.INVOKESTATIC, SiteRewrites.TRACKER, "monitorExit", "(Ljava/lang/Object;)V", false);
        }

        @Override
        public void visitMethodInsn(int opcode, String callOwner, String name, String descriptor, boolean isInterface) {
            SiteRewrites.Rewrite rewrite = SiteRewrites.rewriteFor(opcode, callOwner, name, descriptor);
            if (rewrite == null) {
                super.visitMethodInsn(opcode, callOwner, name, descriptor, isInterface);
                return;
            }
            if (rewrite.withSite) super.visitLdcInsn(site());
            super.visitMethodInsn(Opcodes.INVOKESTATIC, rewrite.owner, rewrite.name, rewrite.descriptor, false);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            if (trackMethodMonitor) {
                // Catch-all: an exception leaving the method releases the monitor; record that, rethrow.
                Label bodyEnd = new Label();
                Label handler = new Label();
                super.visitLabel(bodyEnd);
                super.visitLabel(handler);
                if (hasFrames()) {
                    Object[] locals = isStatic ? new Object[0] : new Object[] {owner};
                    super.visitFrame(Opcodes.F_FULL, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
                }
                exitMethodMonitor();
                super.visitInsn(Opcodes.ATHROW);
                super.visitTryCatchBlock(bodyStart, bodyEnd, handler, null);
            }
            super.visitMaxs(Math.max(maxStack + 2, 3), maxLocals);
        }
    }
}
