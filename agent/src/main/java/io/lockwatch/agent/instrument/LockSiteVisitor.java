package io.lockwatch.agent.instrument;

import io.lockwatch.runtime.track.CallSites;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
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
 *   <li>a block, method or {@code lock()}/{@code unlock()} pair that {@link LeafSections} proves to be a leaf
 *       (nothing can be locked inside it) enters through {@code leafEntry} (see {@link SiteRewrites#LEAF_ENTRY})
 *       or {@code leafLock} instead: the order check without the push.</li>
 *   <li>calls listed in {@link SiteRewrites} ({@code Lock.lock()} and friends) become calls of the runtime
 *       method of the same name, with the site's number.</li>
 * </ul>
 * Inserted code only pushes and swaps values, calls the runtime's methods (static ones, and a leaf's
 * {@code LeafEntry.enter}) and keeps the thread's state in one new local
 * variable after the method's own, so a method that takes several locks looks the state up once. Every
 * frame gets that local appended; the one new branch target, the handler, gets a frame of its own. So the
 * original frames stay valid and nothing needs recomputing (which would load classes in the middle of
 * class loading).
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
        String method = LockSiteScanner.Result.key(name, descriptor);
        if (!scan.rewrites(method)) return mv;
        boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
        boolean trackMethodMonitor = (access & Opcodes.ACC_SYNCHRONIZED) != 0
                && (isStatic ? supportsClassConstants() : !scan.thisOverwritten.contains(method));
        mv = new SiteMethodVisitor(mv, name, method, isStatic, trackMethodMonitor, stateLocal(method));
        return ThreadHooks.calls(owner, name, descriptor) > 0 ? ThreadHooks.wrap(mv, name) : mv;
    }

    /**
     * The local variable slot that keeps the thread's state between the lock sites of one invocation: the
     * first slot the method does not use. -1 (no such local) when the method's size is unknown or at the
     * limit, or for class files without stack map frames (before Java 6), which lockwatch leaves as simple
     * as they were.
     */
    private int stateLocal(String method) {
        int free = scan.freeLocal(method);
        return free < 0 || free > 0xFFFF - ADDED_LOCALS || !hasFrames() ? -1 : free;
    }

    /** The local variables lockwatch adds to a rewritten method: the thread's state and a released monitor. */
    private static final int ADDED_LOCALS = 2;

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
        /** Its name and descriptor: its key in the scan's tables ({@link LockSiteScanner.Result#key}). */
        private final String method;
        /** The method's monitorenters and lock() calls in order, and which open leaves and nests (see {@link LeafSections}). */
        private final LeafSections.Walk sections;
        private final boolean isStatic;
        /** Its monitor entries lock a part of {@code this}: bins of this map, class-loading locks of this loader (see {@link SiteRewrites#locksPartOfThis}). */
        private final boolean locksPartOfThis;
        private final boolean trackMethodMonitor;
        /** Where the thread's state is kept between this method's lock sites, or -1 (see {@link #stateLocal}). */
        private final int state;
        /**
         * The try-catch ranges by each of their labels, how many are open, and how many that contain their own
         * handler are open.
         */
        private final Map<Label, List<TryBlock>> tryBlocks = new HashMap<>();
        private int openBlocks;
        private int selfCoveredOpen;
        /** A monitor released inside a range, whose release is recorded where the range ends (see MONITOREXIT). */
        private boolean releaseDeferred;
        /** Deferred on a normal path (until a range ends), not on javac's exception path (until no self-covering range is open). */
        private boolean deferredToRangeEnd;
        /** The range has ended: the release is recorded before the next instruction. */
        private boolean releaseDue;
        private final Label bodyStart = new Label();
        private int line = -1;
        private int methodSite = -1;

        SiteMethodVisitor(MethodVisitor mv, String methodName, String method, boolean isStatic,
                          boolean trackMethodMonitor, int state) {
            super(Opcodes.ASM9, mv);
            this.methodName = methodName;
            this.method = method;
            this.sections = new LeafSections.Walk(scan.sections(method));
            this.isStatic = isStatic;
            this.trackMethodMonitor = trackMethodMonitor;
            this.state = state;
            this.locksPartOfThis = SiteRewrites.locksPartOfThis(className, isStatic, state >= 0,
                    scan.thisOverwritten.contains(method), methodName);
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
            if (state >= 0) {
                // Before any original instruction, so the locals are set on every path: the frames declare them.
                super.visitInsn(Opcodes.ACONST_NULL);
                super.visitVarInsn(Opcodes.ASTORE, state);
                super.visitInsn(Opcodes.ACONST_NULL);
                super.visitVarInsn(Opcodes.ASTORE, releasedMonitor());
            }
            if (trackMethodMonitor) {
                // The JVM has taken the monitor already; record it, then open the range the handler covers.
                pushMethodMonitor();
                monitorEnter(methodSite(), scan.leafMethods.contains(method), null);
                super.visitLabel(bodyStart);
            }
        }

        /**
         * Stack: the monitor (kept). Records the acquisition, keeping the thread's state for later sites. A
         * leaf critical section (see {@link LeafSections}) gets the order check only; its releases are
         * recorded as any others, and find nothing to pop.
         */
        private void monitorEnter(int site, boolean leaf, LeafSections.Outer outer) {
            if (outer != null && state >= 0) {
                enterUnderNest(outer, site, SiteRewrites.TRACKER, "leafMonitorEnterUnder",
                        "(Ljava/lang/Object;Ljava/lang/Object;IILjava/lang/Object;)Ljava/lang/Object;");
                return;
            }
            if (leaf && !locksPartOfThis && state >= 0) {
                enterLeaf(site);
                return;
            }
            if (locksPartOfThis) super.visitVarInsn(Opcodes.ALOAD, 0); // the map or loader, after the bin or class-loading lock (only with a state local)
            super.visitLdcInsn(site);
            if (state >= 0) {
                super.visitVarInsn(Opcodes.ALOAD, state);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, SiteRewrites.TRACKER, SiteRewrites.monitorEntry(locksPartOfThis),
                        SiteRewrites.monitorEntryDescriptor(locksPartOfThis), false);
                super.visitVarInsn(Opcodes.ASTORE, state);
            } else {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, SiteRewrites.TRACKER, "monitorEnter", "(Ljava/lang/Object;I)V", false);
            }
        }

        /** Stack: the monitor (consumed). A leaf section's entry: see {@link SiteRewrites#LEAF_ENTRY}. */
        private void enterLeaf(int site) {
            super.visitVarInsn(Opcodes.ALOAD, state);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, SiteRewrites.TRACKER, SiteRewrites.THREAD_STATE,
                    SiteRewrites.THREAD_STATE_DESCRIPTOR, false);
            super.visitInsn(Opcodes.DUP);
            super.visitVarInsn(Opcodes.ASTORE, state);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, SiteRewrites.TRACKER, SiteRewrites.LEAF_ENTRY,
                    SiteRewrites.LEAF_ENTRY_DESCRIPTOR, false);
            super.visitInsn(Opcodes.SWAP);
            super.visitLdcInsn(site);
            super.visitVarInsn(Opcodes.ALOAD, state);
            super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, SiteRewrites.LEAF_ENTRY_CLASS, SiteRewrites.LEAF_ENTER,
                    SiteRewrites.LEAF_ENTER_DESCRIPTOR, false);
        }

        /**
         * Stack: the lock (consumed). A leaf inside a nest: the nest's lock and site go along to the entry, as if
         * the nest's lock were held.
         */
        private void enterUnderNest(LeafSections.Outer outer, int site, String owner, String name, String descriptor) {
            loadOuter(outer);
            super.visitLdcInsn(site);
            super.visitLdcInsn(sections.siteOf(outer));
            super.visitVarInsn(Opcodes.ALOAD, state);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, owner, name, descriptor, false);
            super.visitVarInsn(Opcodes.ASTORE, state);
        }

        /** Pushes the lock of the nest around a leaf, loaded where the nest loads it. */
        private void loadOuter(LeafSections.Outer outer) {
            if (outer.local >= 0) {
                super.visitVarInsn(Opcodes.ALOAD, outer.local);
            } else if (outer.staticField) {
                super.visitFieldInsn(Opcodes.GETSTATIC, outer.fieldOwner, outer.fieldName, outer.fieldDescriptor);
            } else {
                super.visitVarInsn(Opcodes.ALOAD, 0);
                super.visitFieldInsn(Opcodes.GETFIELD, outer.fieldOwner, outer.fieldName, outer.fieldDescriptor);
            }
        }

        /** Stack: the monitor (consumed). Records the release. */
        private void monitorExit(boolean withState) {
            if (withState) {
                super.visitVarInsn(Opcodes.ALOAD, state);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, SiteRewrites.TRACKER, "monitorExit",
                        "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
            } else {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, SiteRewrites.TRACKER, "monitorExit", "(Ljava/lang/Object;)V", false);
            }
        }

        /**
         * Every frame gets the two locals lockwatch adds, after the method's own (padded with unused slots):
         * both are set before the first instruction and only ever hold null or a plain object.
         */
        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            if (state < 0) {
                super.visitFrame(type, numLocal, local, numStack, stack);
                return;
            }
            Object[] locals = withAddedLocals(local, numLocal); // type is F_NEW: the reader expands frames
            super.visitFrame(type, locals.length, locals, numStack, stack);
        }

        private Object[] withAddedLocals(Object[] local, int numLocal) {
            int slots = 0;
            for (int i = 0; i < numLocal; i++) {
                slots += local[i] == Opcodes.LONG || local[i] == Opcodes.DOUBLE ? 2 : 1;
            }
            Object[] extended = new Object[numLocal + (state - slots) + ADDED_LOCALS];
            System.arraycopy(local, 0, extended, 0, numLocal);
            for (int i = numLocal; i < extended.length - ADDED_LOCALS; i++) extended[i] = Opcodes.TOP;
            for (int i = extended.length - ADDED_LOCALS; i < extended.length; i++) extended[i] = "java/lang/Object";
            return extended;
        }

        /** A synchronized method's site: the method, at its first line once known. */
        private int methodSite() {
            if (methodSite < 0) methodSite = CallSites.register(className, methodName, sourceFile, -1);
            return methodSite;
        }

        /** The second local lockwatch adds: a monitor whose release is recorded a few instructions later. */
        private int releasedMonitor() {
            return state + 1;
        }

        @Override
        public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
            TryBlock block = new TryBlock(start, end, handler);
            for (Label label : new Label[] {start, end, handler}) {
                tryBlocks.computeIfAbsent(label, l -> new ArrayList<>(2)).add(block);
            }
            super.visitTryCatchBlock(start, end, handler, type);
        }

        /**
         * Follows which try-catch ranges the code is inside, and whether one of them contains its own
         * handler (javac's exception path of a synchronized block: the range around its monitorexit).
         */
        @Override
        public void visitLabel(Label label) {
            super.visitLabel(label);
            List<TryBlock> blocks = tryBlocks.get(label);
            if (blocks == null) return;
            boolean ended = false;
            for (TryBlock block : blocks) {
                if (block.end == label && block.open) {
                    block.open = false;
                    openBlocks--;
                    ended = true;
                    if (block.coversHandler) selfCoveredOpen--;
                    block.coversHandler = false;
                }
            }
            for (TryBlock block : blocks) {
                if (block.start == label && !block.open) {
                    block.open = true;
                    openBlocks++;
                }
                if (block.handler == label && block.open && !block.coversHandler) {
                    block.coversHandler = true;
                    selfCoveredOpen++;
                }
            }
            if (releaseDeferred && (deferredToRangeEnd ? ended : selfCoveredOpen == 0)) releaseDue = true;
        }

        /**
         * Records a deferred release before the first instruction after the range, not at its label: a
         * frame for that label may still follow, and it must stay at the label's offset.
         */
        private void recordDueRelease() {
            if (releaseDue) recordDeferredRelease();
        }

        /**
         * Before an instruction that could take a lock or leave this straight line of code (a call, a jump,
         * a return, a monitor instruction), a deferred release is recorded wherever the range stands: no
         * lock may be taken, nor the path left, while the tracker still counts the monitor as held. javac's
         * code never gets here (its ranges end right after the monitorexit); other compilers' might.
         */
        private void recordPendingRelease() {
            if (releaseDeferred) recordDeferredRelease();
        }

        private void recordDeferredRelease() {
            releaseDue = false;
            releaseDeferred = false;
            super.visitVarInsn(Opcodes.ALOAD, releasedMonitor());
            monitorExit(true);
            super.visitInsn(Opcodes.ACONST_NULL); // keeps no lock alive
            super.visitVarInsn(Opcodes.ASTORE, releasedMonitor());
        }

        // Every kind of instruction first records a release that is due (see recordDueRelease).

        @Override
        public void visitIntInsn(int opcode, int operand) {
            recordDueRelease();
            super.visitIntInsn(opcode, operand);
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            recordDueRelease();
            super.visitVarInsn(opcode, var);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            recordDueRelease();
            super.visitTypeInsn(opcode, type);
        }

        @Override
        public void visitFieldInsn(int opcode, String fieldOwner, String name, String descriptor) {
            recordDueRelease();
            super.visitFieldInsn(opcode, fieldOwner, name, descriptor);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
            recordPendingRelease();
            super.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            recordPendingRelease();
            super.visitJumpInsn(opcode, label);
        }

        @Override
        public void visitLdcInsn(Object value) {
            recordDueRelease();
            super.visitLdcInsn(value);
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            recordDueRelease();
            super.visitIincInsn(var, increment);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            recordPendingRelease();
            super.visitTableSwitchInsn(min, max, dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            recordPendingRelease();
            super.visitLookupSwitchInsn(dflt, keys, labels);
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
            recordDueRelease();
            super.visitMultiANewArrayInsn(descriptor, numDimensions);
        }

        @Override
        public void visitLineNumber(int line, Label start) {
            this.line = line;
            super.visitLineNumber(line, start);
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.MONITORENTER || opcode == Opcodes.MONITOREXIT || opcode == Opcodes.ATHROW
                    || (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN)) {
                recordPendingRelease();
            } else {
                recordDueRelease();
            }
            if (opcode == Opcodes.MONITORENTER) {
                super.visitInsn(Opcodes.DUP);
                int site = site();
                sections.monitorEnter(site);
                // A nest (only leaves inside) is not pushed either: its leaves get its lock passed along.
                monitorEnter(site, sections.unpushed(), sections.outer());
            } else if (opcode == Opcodes.MONITOREXIT) {
                // The release is recorded after the monitorexit, so that our call does not lengthen the critical
                // section (a contended monitor's throughput is one over it). Not inside a try-catch range,
                // though: javac covers a synchronized block's body and its monitorexit with a catch-all handler
                // that releases the monitor, and a call between the monitorexit and the range's end gives that
                // handler a path where the monitor is released twice. C1 and C2 then refuse the whole method
                // ("cannot parse method", and on javac's exception path "exception handler covers itself"),
                // and it runs interpreted: a nested synchronized loop went from 57 to 304 ns. So inside a
                // range the release is recorded just after the range (javac ends it right after the
                // monitorexit); outside any range, right after the instruction.
                if (state < 0) {
                    super.visitInsn(Opcodes.DUP); // no state local (no stack map frames): before, as always
                    monitorExit(false);
                } else if (openBlocks > 0) {
                    super.visitInsn(Opcodes.DUP);
                    super.visitVarInsn(Opcodes.ASTORE, releasedMonitor());
                    super.visitInsn(opcode);
                    releaseDeferred = true;
                    deferredToRangeEnd = selfCoveredOpen == 0;
                    return;
                } else {
                    super.visitInsn(Opcodes.DUP);
                    super.visitInsn(opcode);
                    monitorExit(true);
                    return;
                }
            } else if (trackMethodMonitor && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                exitMethodMonitor();
            }
            super.visitInsn(opcode);
        }

        private void exitMethodMonitor() {
            pushMethodMonitor();
            monitorExit(state >= 0);
        }

        @Override
        public void visitMethodInsn(int opcode, String callOwner, String name, String descriptor, boolean isInterface) {
            recordPendingRelease();
            SiteRewrites.Rewrite rewrite = SiteRewrites.rewriteFor(opcode, callOwner, name, descriptor);
            if (rewrite == null) {
                super.visitMethodInsn(opcode, callOwner, name, descriptor, isInterface);
                return;
            }
            boolean isLock = rewrite.name.equals("lock");
            int site = rewrite.withSite ? site() : -1;
            if (isLock) sections.lockCall(site);
            boolean leaf = isLock && sections.unpushed();
            LeafSections.Outer outer = isLock ? sections.outer() : null;
            if (outer != null && state >= 0) {
                enterUnderNest(outer, site, rewrite.owner, "leafLockUnder", rewrite.underNestDescriptor());
                return;
            }
            if (rewrite.withSite) super.visitLdcInsn(site);
            if (state >= 0 && rewrite.stateDescriptor != null) {
                super.visitVarInsn(Opcodes.ALOAD, state);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, rewrite.owner, leaf ? "leafLock" : rewrite.name,
                        rewrite.stateDescriptor, false);
                if (rewrite.returnsState()) super.visitVarInsn(Opcodes.ASTORE, state);
            } else {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, rewrite.owner, rewrite.name, rewrite.descriptor, false);
            }
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
                    // Only this (never overwritten: see LockSiteScanner) and the state local are known here.
                    // (Expanded, like every frame the class reader hands over: see LockSiteFilter.)
                    Object[] locals = isStatic ? new Object[0] : new Object[] {owner};
                    if (state >= 0) locals = withAddedLocals(locals, locals.length);
                    super.visitFrame(Opcodes.F_NEW, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
                }
                exitMethodMonitor();
                super.visitInsn(Opcodes.ATHROW);
                super.visitTryCatchBlock(bodyStart, bodyEnd, handler, null);
            }
            // At most five values pushed on top of the method's own: a leaf in a nest's monitor, the nest's lock,
            // two sites and the state.
            super.visitMaxs(Math.max(maxStack + 5, 6), state >= 0 ? Math.max(maxLocals, state + ADDED_LOCALS) : maxLocals);
        }
    }

    /** One try-catch range while the code is visited. */
    private static final class TryBlock {
        final Label start;
        final Label end;
        final Label handler;
        boolean open;
        boolean coversHandler;

        TryBlock(Label start, Label end, Label handler) {
            this.start = start;
            this.end = end;
            this.handler = handler;
        }
    }
}
