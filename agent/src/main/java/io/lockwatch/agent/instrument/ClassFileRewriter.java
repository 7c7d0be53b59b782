package io.lockwatch.agent.instrument;

import static io.lockwatch.agent.instrument.ClassFileSkim.u2;
import static io.lockwatch.agent.instrument.ClassFileSkim.u4;

import io.lockwatch.runtime.track.CallSites;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jdk.internal.vm.annotation.DontInline;

/**
 * Rewrites the lock and wait sites of a class file by editing its bytes: the code that
 * {@link LockSiteVisitor} and {@link WaitSiteVisitor} produce through ASM, without ASM.
 *
 * <p>Why a second way to the same code: at start-up the classes loaded before {@code premain} are rewritten
 * while the JVM is cold. ASM copies the whole constant pool into its own table, decodes every rewritten
 * method into visitor calls and encodes it again, all of it interpreted at first, and then keeps the JIT's
 * compilers busy on the two cores the start-up has (about 140 ms of a hello world's start-up went to it).
 * This rewriter keeps the constant pool as it is and appends to it, copies every method it does not touch,
 * and in the methods it does, copies each instruction, inserting the same sequences at the same places.
 *
 * <p>Where it inserts is LockSiteVisitor's rule, instruction by instruction: the insertions that
 * LockSiteVisitor makes for an instruction come before it (a branch to the instruction runs them too), the
 * release recorded after a {@code monitorexit} outside a try-catch range comes right after it. Every stack
 * map frame is written out in full, with the two locals lockwatch adds. {@code ClassFileRewriterTest}
 * checks, for every class of the JDK that has lock sites, that this rewriter and the ASM visitors give the
 * same instructions, frames, ranges and debug tables.
 *
 * <p>It returns null, and the class goes to ASM, for what it leaves alone: class files without stack map
 * frames (before Java 6), subroutines ({@code jsr}/{@code ret}), attributes of the code it does not know
 * (type annotations), and a branch that no longer reaches its target with a 16-bit offset. It does
 * {@link ThreadHooks}' hooks in {@code java.lang.Thread} too: {@code Thread} is loaded before the agent, and
 * the one class left to ASM at start-up would load and run all of ASM.
 */
final class ClassFileRewriter {
    private static final String TRACKER = SiteRewrites.TRACKER;
    private static final int ACC_STATIC = 0x0008;
    private static final int ACC_ABSTRACT_OR_NATIVE = 0x0400 | 0x0100;

    private static final int ACONST_NULL = 0x01;
    private static final int LDC = 0x12;
    private static final int LDC_W = 0x13;
    private static final int ALOAD = 0x19;
    private static final int ALOAD_0 = 0x2a;
    private static final int ASTORE = 0x3a;
    private static final int ASTORE_0 = 0x4b;
    private static final int DUP = 0x59;
    private static final int SWAP = 0x5f;
    private static final int IRETURN = 0xac;
    private static final int RETURN = 0xb1;
    private static final int GETSTATIC = 0xb2;
    private static final int GETFIELD = 0xb4;
    private static final int INVOKEVIRTUAL = 0xb6;
    private static final int INVOKESTATIC = 0xb8;
    private static final int INVOKEINTERFACE = 0xb9;
    private static final int INVOKEDYNAMIC = 0xba;
    private static final int ATHROW = 0xbf;
    private static final int MONITORENTER = 0xc2;
    private static final int MONITOREXIT = 0xc3;
    private static final int WIDE = 0xc4;
    private static final int TABLESWITCH = 0xaa;
    private static final int LOOKUPSWITCH = 0xab;
    private static final int GOTO_W = 0xc8;

    /** Verification types of a stack map frame, as an int: the tag, and for Object and Uninitialized the u2 after it. */
    private static final int TOP = 0;
    private static final int INTEGER = 1;
    private static final int FLOAT = 2;
    private static final int DOUBLE = 3;
    private static final int LONG = 4;
    private static final int UNINITIALIZED_THIS = 6;
    private static final int OBJECT_TYPE = 7;
    private static final int UNINITIALIZED = 8;
    private static final int[] NO_TYPES = new int[0];

    private final byte[] b;
    private final LockSiteScanner.Result scan;
    private final int[] entry;
    private final int constantPoolEnd;
    private final int thisClassIndex;
    private final String owner;
    private final String className;
    private final boolean rewritesWaits;
    private String sourceFile;
    private final AppendedConstants pool;
    private final CodeTables tables;

    /**
     * A method rewrite's tables, one entry per offset of its code, kept for the next rewritten method, of this
     * class or (one set, for whichever transforming thread takes it) of the next: without them each method
     * allocated seven arrays the size of its code. Cleared for each method. Also the buffer of a class's
     * rewritten methods. Kept weakly ({@link SpareTables}).
     */
    private static final class CodeTables extends SpareTables.Kept<CodeTables> {
        /** Kept for the next class when made for methods of up to this many bytes of code (~90 KB at most)... */
        static final int MAX_KEPT = 4096;
        /** ... and rewritten methods of up to this many bytes in all. */
        static final int MAX_KEPT_METHOD_BYTES = 64 * 1024;

        /** A class's rewritten methods. */
        private final GrowingBytes methods = new GrowingBytes(8 * 1024);

        boolean[] tryLabel = new boolean[0];
        boolean[] replaced = new boolean[0];
        int[] lineAt = new int[0];
        int[] newPos = new int[0];
        int[] instructionPos = new int[0];
        GrowingBytes[] before = new GrowingBytes[0];
        GrowingBytes[] after = new GrowingBytes[0];

        void fitTo(int length) {
            if (lineAt.length < length) {
                tryLabel = new boolean[length];
                replaced = new boolean[length];
                lineAt = new int[length];
                newPos = new int[length];
                instructionPos = new int[length];
                before = new GrowingBytes[length];
                after = new GrowingBytes[length];
                return;
            }
            Arrays.fill(tryLabel, 0, length, false);
            Arrays.fill(replaced, 0, length, false);
            Arrays.fill(instructionPos, 0, length, 0);
            Arrays.fill(before, 0, length, null);
            Arrays.fill(after, 0, length, null);
            // lineAt and newPos: filled by their users
        }

        GrowingBytes emptyMethods() {
            methods.clear();
            return methods;
        }

        boolean worthKeeping() {
            return lineAt.length <= MAX_KEPT && methods.capacity() <= MAX_KEPT_METHOD_BYTES;
        }
    }

    private static final SpareTables<CodeTables> SPARE_TABLES = new SpareTables<>();

    /** The shape this rewriter leaves to ASM; thrown from anywhere inside, answered with null. */
    static final class LeftToAsm extends RuntimeException {
        LeftToAsm() {
            super(null, null, false, false);
        }
    }

    static final LeftToAsm LEFT_TO_ASM = new LeftToAsm();

    private ClassFileRewriter(byte[] classFile, LockSiteScanner.Result scan) {
        this.b = classFile;
        this.scan = scan;
        if (u2(b, 0) != 0xCAFE || u2(b, 2) != 0xBABE || u2(b, 6) < 50) throw LEFT_TO_ASM; // no stack map frames
        entry = scan.constantPool; // the scan's walk of the pool, done once
        constantPoolEnd = scan.constantPoolEnd;
        if (entry == null || entry.length != u2(b, 8)) throw LEFT_TO_ASM;
        thisClassIndex = u2(b, constantPoolEnd + 2);
        owner = utf8(u2(b, entry[thisClassIndex] + 1));
        className = owner.replace('/', '.');
        rewritesWaits = !WaitSiteVisitor.isSynchronizerItself(className);
        pool = new AppendedConstants(entry.length);
        CodeTables spare = SPARE_TABLES.take();
        tables = spare != null ? spare : new CodeTables();
    }

    /** @return the rewritten class file, or null when the class is left to ASM */
    static byte[] rewrite(byte[] classFile, LockSiteScanner.Result scan) {
        ClassFileRewriter rewriter = null;
        try {
            rewriter = new ClassFileRewriter(classFile, scan);
            return rewriter.rewrite();
        } catch (LeftToAsm e) {
            return null;
        } finally {
            if (rewriter != null && rewriter.tables.worthKeeping()) SPARE_TABLES.keep(rewriter.tables);
        }
    }

    private byte[] rewrite() {
        int p = constantPoolEnd + 6;
        p += 2 + 2 * u2(b, p); // interfaces
        int fields = u2(b, p);
        p += 2;
        for (int f = 0; f < fields; f++) p = ClassFileSkim.skipMember(b, p);
        int methodsStart = p;
        int methods = u2(b, p);
        p += 2;
        int[] methodStarts = new int[methods + 1];
        for (int m = 0; m < methods; m++) {
            methodStarts[m] = p;
            p = ClassFileSkim.skipMember(b, p);
        }
        methodStarts[methods] = p;
        int classAttributes = p;
        readSourceFile(classAttributes);

        // The rewritten methods' new bytes, one after another in a buffer kept for the next class, and where each
        // starts and ends there (-1: not rewritten). Most methods are written out of the class file as they are.
        GrowingBytes newMethods = tables.emptyMethods();
        int[] newStart = new int[methods];
        int[] newEnd = new int[methods];
        Arrays.fill(newStart, -1);
        int growth = 0;
        for (int m = 0; m < methods; m++) {
            int start = methodStarts[m];
            int end = methodStarts[m + 1];
            int access = u2(b, start);
            if ((access & ACC_ABSTRACT_OR_NATIVE) != 0 || !(scan.allMethods || scan.hasSites(m))) {
                continue; // most methods: no strings made for them
            }
            String name = utf8(u2(b, start + 2));
            String descriptor = utf8(u2(b, start + 4));
            int at = newMethods.size();
            if (!scan.hasSites(m) && ThreadHooks.calls(owner, name, descriptor) == 0) {
                // java.lang.Thread (and VirtualThread), whose every method goes through the visitor: one without a site or a hook
                // keeps its code; only its stack size grows, as the visitors' give it.
                newMethods.bytes(b, start, end - start);
                int code = codeAttribute(start);
                if (code >= 0) newMethods.set2(at + code - start + 6, maxStack(u2(b, code + 6), 0));
            } else {
                new MethodRewrite(access, name, descriptor, scan.hasSites(m)).write(start, newMethods);
            }
            newStart[m] = at;
            newEnd[m] = newMethods.size();
            growth += newMethods.size() - at - (end - start);
        }

        if (pool.count() > 0xFFFF) throw LEFT_TO_ASM;
        GrowingBytes out = new GrowingBytes(b.length + pool.bytes.size() + growth); // exactly: no copy at the end
        out.bytes(b, 0, 8);
        out.u2(pool.count());
        out.bytes(b, 10, constantPoolEnd - 10);
        out.bytes(pool.bytes.array(), 0, pool.bytes.size());
        out.bytes(b, constantPoolEnd, methodsStart + 2 - constantPoolEnd); // up to the methods, with their count
        for (int m = 0; m < methods; m++) {
            if (newStart[m] >= 0) {
                out.bytes(newMethods.array(), newStart[m], newEnd[m] - newStart[m]);
            } else {
                out.bytes(b, methodStarts[m], methodStarts[m + 1] - methodStarts[m]);
            }
        }
        out.bytes(b, classAttributes, b.length - classAttributes);
        return out.toArray();
    }

    /** LockSiteVisitor's stack size, then WaitSiteVisitor's (the hooks wrap both). */
    private int maxStack(int original, int hooks) {
        return Math.max(original + hooks + 5, 6) + (rewritesWaits ? 1 : 0);
    }

    /** @return where the method's Code attribute starts, or -1 */
    private int codeAttribute(int method) {
        int attributes = u2(b, method + 6);
        int p = method + 8;
        for (int a = 0; a < attributes; a++) {
            if (ClassFileSkim.utf8Equals(b, entry[u2(b, p)], ClassFileSkim.CODE)) return p;
            p += 6 + u4(b, p + 2);
        }
        return -1;
    }

    private void readSourceFile(int p) {
        int attributes = u2(b, p);
        p += 2;
        for (int a = 0; a < attributes; a++) {
            if (ClassFileSkim.utf8Equals(b, entry[u2(b, p)], SOURCE_FILE)) sourceFile = utf8(u2(b, p + 6));
            p += 6 + u4(b, p + 2);
        }
    }

    private static final byte[] SOURCE_FILE = ClassFileSkim.ascii("SourceFile");
    private static final byte[] LINE_NUMBER_TABLE = ClassFileSkim.ascii("LineNumberTable");
    private static final byte[] STACK_MAP_TABLE = ClassFileSkim.ascii("StackMapTable");
    private static final byte[] LOCAL_VARIABLE_TABLE = ClassFileSkim.ascii("LocalVariableTable");
    private static final byte[] LOCAL_VARIABLE_TYPE_TABLE = ClassFileSkim.ascii("LocalVariableTypeTable");

    private String utf8(int index) {
        return LockSiteScanner.utf8(b, entry[index]);
    }

    /** One method's code, rewritten: the plan per instruction first, then the new code laid out and written. */
    private final class MethodRewrite {
        private final String name;
        private final String descriptor;
        /** Its name and descriptor: its key in the scan's tables ({@link LockSiteScanner.Result#key}). */
        private final String method;
        private final boolean isStatic;
        /** Its monitor entries lock a part of {@code this}: bins of this map, class-loading locks of this loader (see {@link SiteRewrites#locksPartOfThis}). */
        private final boolean locksPartOfThis;
        private final boolean trackMethodMonitor;
        private final int state;
        /** Its monitorenters and lock() calls in order, and which open leaves and nests (see {@link LeafSections}). */
        private final LeafSections.Walk sections;
        /** Thread's hooks: how many, and whether each return records a join. */
        private final int hooks;
        private final boolean joinHook;

        private int code;
        private int codeLength;
        /** Where the new code starts in the method's bytes (a switch's padding aligns to it). */
        private int codeStart;
        /** What goes before each instruction (a branch to the instruction runs it too), and right after it. */
        private GrowingBytes[] before;
        private GrowingBytes[] after;
        /** Instructions whose own bytes are replaced by what goes before them (a rewritten call). */
        private boolean[] replaced;
        private final GrowingBytes prologue = new GrowingBytes(16);
        /** Where the range of a synchronized method's handler starts: the end of LockSiteVisitor's prologue. */
        private int bodyStart;

        // The exception table and the ranges the code is inside (as LockSiteVisitor follows them).
        private int[] tryStart;
        private int[] tryEnd;
        private int[] tryHandler;
        private int[] tryType;
        private boolean[] open;
        private boolean[] coversHandler;
        private int openBlocks;
        private int selfCoveredOpen;
        private boolean releaseDeferred;
        private boolean deferredToRangeEnd;
        private boolean releaseDue;

        /** Whether a try-catch range starts, ends or has its handler at an offset. */
        private boolean[] tryLabel;
        // The line number table, for the sites' lines: the line its last entry at an offset gives, else -2.
        private int lineTable = -1;
        private int[] lineAt;
        private int line = -1;
        private int methodSite = -1;

        // Where each original instruction boundary lands: newPos (what branches to it reach) and where the
        // instruction itself starts after what goes before it.
        private int[] newPos;
        private int[] instructionPos;

        MethodRewrite(int access, String name, String descriptor, boolean hasSites) {
            this.name = name;
            this.descriptor = descriptor;
            this.method = LockSiteScanner.Result.key(name, descriptor);
            this.isStatic = (access & ACC_STATIC) != 0;
            boolean thisOverwritten = scan.thisOverwritten.contains(method);
            this.trackMethodMonitor = (access & ClassFileSkim.ACC_SYNCHRONIZED) != 0 && (isStatic || !thisOverwritten);
            int free = scan.freeLocal(method);
            this.state = free < 0 || free > 0xFFFF - 2 ? -1 : free;
            // Without the state local (a hook in a method without sites is fine): ASM's visitor.
            if (state < 0 && hasSites) throw LEFT_TO_ASM;
            this.sections = new LeafSections.Walk(scan.sections(method));
            this.locksPartOfThis = SiteRewrites.locksPartOfThis(className, isStatic, state >= 0, thisOverwritten, name);
            this.hooks = ThreadHooks.calls(owner, name, descriptor);
            this.joinHook = hooks > 0 && name.equals("join");
        }

        void write(int start, GrowingBytes out) {
            int attributes = u2(b, start + 6);
            out.bytes(b, start, 6);
            out.u2(attributes);
            int p = start + 8;
            for (int a = 0; a < attributes; a++) {
                int length = u4(b, p + 2);
                if (ClassFileSkim.utf8Equals(b, entry[u2(b, p)], ClassFileSkim.CODE)) {
                    writeCode(p, out);
                } else {
                    out.bytes(b, p, 6 + length);
                }
                p += 6 + length;
            }
        }

        private void writeCode(int attribute, GrowingBytes out) {
            int maxStack = u2(b, attribute + 6);
            int maxLocals = u2(b, attribute + 8);
            codeLength = u4(b, attribute + 10);
            code = attribute + 14;
            int p = code + codeLength;
            int exceptions = u2(b, p);
            tryStart = new int[exceptions];
            tryEnd = new int[exceptions];
            tryHandler = new int[exceptions];
            tryType = new int[exceptions];
            open = new boolean[exceptions];
            coversHandler = new boolean[exceptions];
            for (int i = 0; i < exceptions; i++) {
                int at = p + 2 + 8 * i;
                tryStart[i] = u2(b, at);
                tryEnd[i] = u2(b, at + 2);
                tryHandler[i] = u2(b, at + 4);
                tryType[i] = u2(b, at + 6);
            }
            p += 2 + 8 * exceptions;
            int codeAttributes = u2(b, p);
            int firstCodeAttribute = p + 2;
            int stackMapTable = -1;
            p = firstCodeAttribute;
            for (int a = 0; a < codeAttributes; a++) {
                int attributeName = entry[u2(b, p)];
                // One of each table that is not a local variable table, as javac writes them.
                if (ClassFileSkim.utf8Equals(b, attributeName, LINE_NUMBER_TABLE)) {
                    if (lineTable >= 0) throw LEFT_TO_ASM;
                    lineTable = p + 6;
                } else if (ClassFileSkim.utf8Equals(b, attributeName, STACK_MAP_TABLE)) {
                    if (stackMapTable >= 0) throw LEFT_TO_ASM;
                    stackMapTable = p + 6;
                } else if (!ClassFileSkim.utf8Equals(b, attributeName, LOCAL_VARIABLE_TABLE)
                        && !ClassFileSkim.utf8Equals(b, attributeName, LOCAL_VARIABLE_TYPE_TABLE)) {
                    throw LEFT_TO_ASM; // type annotations and unknown attributes: ASM knows what to keep
                }
                p += 6 + u4(b, p + 2);
            }

            plan();

            // The attribute goes straight into the method's bytes; its two lengths are filled in once known.
            out.u2(u2(b, attribute));
            int attributeLength = out.startLength();
            out.u2(maxStack(maxStack, hooks));
            out.u2(state >= 0 ? Math.max(maxLocals, state + 2) : maxLocals);
            int newCodeLength = out.startLength();
            codeStart = out.size();
            layOutAndWrite(out);
            out.endLength(newCodeLength);
            int handler = newPos[codeLength]; // the appended handler starts where the original code ended
            out.u2(exceptions + (trackMethodMonitor ? 1 : 0));
            for (int i = 0; i < exceptions; i++) {
                out.u2(at(tryStart[i]));
                out.u2(at(tryEnd[i]));
                out.u2(at(tryHandler[i]));
                out.u2(tryType[i]);
            }
            if (trackMethodMonitor) {
                out.u2(bodyStart);
                out.u2(handler);
                out.u2(handler);
                out.u2(0);
            }
            boolean framesWritten = false;
            int countAt = out.size();
            out.u2(codeAttributes);
            int written = 0;
            p = firstCodeAttribute;
            for (int a = 0; a < codeAttributes; a++) {
                int nameIndex = u2(b, p);
                int from = p + 6;
                if (from == lineTable) {
                    writeLineNumbers(nameIndex, from, out);
                } else if (from == stackMapTable) {
                    writeFrames(nameIndex, stackMapTable, handler, out);
                    framesWritten = true;
                } else { // LocalVariableTable, LocalVariableTypeTable: the same layout
                    writeLocalVariables(nameIndex, from, out);
                }
                written++;
                p += 6 + u4(b, p + 2);
            }
            if (!framesWritten && trackMethodMonitor) {
                writeFrames(pool.utf8("StackMapTable"), -1, handler, out);
                written++;
            }
            out.set2(countAt, written);
            out.endLength(attributeLength);
        }

        /** The new offset of an original instruction boundary. */
        private int at(int pc) {
            if (pc < 0 || pc > codeLength || newPos[pc] < 0) throw LEFT_TO_ASM; // not an instruction boundary
            return newPos[pc];
        }

        // ---- the plan: LockSiteVisitor's decisions, instruction by instruction ----

        private void plan() {
            tables.fitTo(codeLength + 1);
            tryLabel = tables.tryLabel;
            for (int i = 0; i < tryStart.length; i++) {
                if (tryStart[i] > codeLength || tryEnd[i] > codeLength || tryHandler[i] > codeLength) throw LEFT_TO_ASM;
                tryLabel[tryStart[i]] = true;
                tryLabel[tryEnd[i]] = true;
                tryLabel[tryHandler[i]] = true;
            }
            lineAt = tables.lineAt;
            Arrays.fill(lineAt, 0, codeLength + 1, -2);
            if (lineTable >= 0) {
                int entries = u2(b, lineTable);
                for (int i = 0; i < entries; i++) { // in the table's order: the last entry for an offset wins, as in ASM
                    int at = lineTable + 2 + 4 * i;
                    int start = u2(b, at);
                    if (start < codeLength) lineAt[start] = u2(b, at + 2);
                }
            }
            before = tables.before;
            after = tables.after;
            replaced = tables.replaced;
            // visitCode
            if (state >= 0) {
                prologue.u1(ACONST_NULL);
                astore(prologue, state);
                prologue.u1(ACONST_NULL);
                astore(prologue, releasedMonitor());
            }
            if (trackMethodMonitor) {
                pushMethodMonitor(prologue);
                monitorEnter(prologue, methodSite(), scan.leafMethods.contains(method), null);
            }
            bodyStart = prologue.size(); // the handler's range: Thread's hooks come after it
            threadHooksOnEntry();
            int pc = 0;
            while (pc < codeLength) {
                labelAt(pc);
                int op = b[code + pc] & 0xff;
                int next = ClassFileSkim.nextInstruction(b, code, pc, op, codeLength);
                if (next <= pc || next > codeLength) throw LEFT_TO_ASM;
                instruction(pc, op);
                pc = next;
            }
            if (pc != codeLength) throw LEFT_TO_ASM;
        }

        /** LockSiteVisitor.visitLabel and visitLineNumber for the label at {@code pc}, if there is one. */
        private void labelAt(int pc) {
            if (lineAt[pc] != -2) line = lineAt[pc];
            if (!tryLabel[pc]) return;
            boolean ended = false;
            for (int i = 0; i < tryStart.length; i++) {
                if (tryEnd[i] == pc && open[i]) {
                    open[i] = false;
                    openBlocks--;
                    ended = true;
                    if (coversHandler[i]) selfCoveredOpen--;
                    coversHandler[i] = false;
                }
            }
            for (int i = 0; i < tryStart.length; i++) {
                if (tryStart[i] == pc && !open[i]) {
                    open[i] = true;
                    openBlocks++;
                }
                if (tryHandler[i] == pc && open[i] && !coversHandler[i]) {
                    coversHandler[i] = true;
                    selfCoveredOpen++;
                }
            }
            if (releaseDeferred && (deferredToRangeEnd ? ended : selfCoveredOpen == 0)) releaseDue = true;
        }

        /** ThreadHooks' calls on entry (Thread's, VirtualThread's, FutureTask's), after what LockSiteVisitor puts there. */
        private void threadHooksOnEntry() {
            if (hooks == 0) return;
            for (ThreadHooks.EntryCall call : ThreadHooks.entryCalls(name)) {
                if (call.passThread) prologue.u1(ALOAD_0);
                invokeStatic(prologue, call.owner, call.hook, call.descriptor());
            }
        }

        /**
         * The join hook before a return, as the visitors order it: a release that is due is recorded before its
         * {@code aload_0}, one that is only deferred before its call.
         */
        @DontInline
        private void joinedBeforeReturn(int pc) {
            GrowingBytes out = before(pc);
            if (releaseDue) recordDeferredRelease(out);
            out.u1(ALOAD_0);
            if (releaseDeferred) recordDeferredRelease(out);
            invokeStatic(out, TRACKER, "threadJoined", "(Ljava/lang/Thread;)V");
        }

        /**
         * One original instruction: the test for what goes around it runs for every instruction of every
         * rewritten method, what it finds to write is done out of line ({@link #lockInstruction},
         * {@link #rewriteCall}, {@link #releaseBefore}). Inlined, the writing made this C2's largest
         * compilation in an H2 run (5.8 KB of bytecode, 52 KB of machine code, 0.3 s of the one C2 thread
         * while the application waited for its own methods).
         */
        private void instruction(int pc, int op) {
            if (op == 0xa8 || op == 0xa9 || op == 0xc9 || (op == WIDE && (b[code + pc + 1] & 0xff) == 0xa9)) {
                throw LEFT_TO_ASM; // jsr, ret, jsr_w, wide ret
            }
            boolean returns = op >= IRETURN && op <= RETURN;
            if (joinHook && returns) joinedBeforeReturn(pc);
            boolean leavesStraightLine = op == MONITORENTER || op == MONITOREXIT || op == ATHROW || returns
                    || (op >= 0x99 && op <= 0xa7) || op == 0xc6 || op == 0xc7
                    || op == GOTO_W || op == TABLESWITCH || op == LOOKUPSWITCH || (op >= INVOKEVIRTUAL && op <= INVOKEDYNAMIC);
            if (leavesStraightLine ? releaseDeferred : releaseDue) releaseBefore(pc);
            if (op == MONITORENTER || op == MONITOREXIT || (trackMethodMonitor && returns)) {
                lockInstruction(pc, op);
            } else if (op == INVOKEVIRTUAL || op == INVOKEINTERFACE) {
                call(pc, op);
            }
        }

        @DontInline
        private void releaseBefore(int pc) {
            recordDeferredRelease(before(pc));
        }

        /** A monitorenter, a monitorexit, or a return of a synchronized method: the tracker's call around it. */
        @DontInline
        private void lockInstruction(int pc, int op) {
            if (op == MONITORENTER) {
                GrowingBytes out = before(pc);
                out.u1(DUP);
                int site = site();
                sections.monitorEnter(site);
                monitorEnter(out, site, sections.unpushed(), sections.outer());
            } else if (op == MONITOREXIT) {
                if (openBlocks > 0) {
                    GrowingBytes out = before(pc);
                    out.u1(DUP);
                    astore(out, releasedMonitor());
                    releaseDeferred = true;
                    deferredToRangeEnd = selfCoveredOpen == 0;
                } else {
                    before(pc).u1(DUP);
                    monitorExit(after(pc));
                }
            } else {
                exitMethodMonitor(before(pc));
            }
        }

        /** LockSiteVisitor.visitMethodInsn, then WaitSiteVisitor's for a call it passes on. */
        private void call(int pc, int op) {
            int ref = entry[u2(b, code + pc + 1)];
            int ownerEntry = entry[u2(b, entry[u2(b, ref + 1)] + 1)];
            if (!ClassFileSkim.isOwner(b, ownerEntry + 3, u2(b, ownerEntry + 1))) return; // the usual case: no strings made
            rewriteCall(pc, op, ref, ownerEntry);
        }

        /** A call to a class that has lock or wait methods: replaced by the tracker's, if it is one of those. */
        @DontInline
        private void rewriteCall(int pc, int op, int ref, int ownerEntry) {
            int nameAndType = entry[u2(b, ref + 3)];
            String callOwner = LockSiteScanner.utf8(b, ownerEntry);
            String callName = LockSiteScanner.utf8(b, entry[u2(b, nameAndType + 1)]);
            String callDescriptor = LockSiteScanner.utf8(b, entry[u2(b, nameAndType + 3)]);
            SiteRewrites.Rewrite rewrite = SiteRewrites.rewriteFor(op, callOwner, callName, callDescriptor);
            if (rewrite == null) {
                String wrapper = rewritesWaits ? WaitSiteVisitor.wrapperDescriptor(callOwner, callName, callDescriptor) : null;
                if (wrapper == null) return;
                GrowingBytes out = before(pc);
                replaced[pc] = true;
                ldcInt(out, site());
                invokeStatic(out, WaitSiteVisitor.WAITS, callName, wrapper);
                return;
            }
            GrowingBytes out = before(pc);
            replaced[pc] = true;
            boolean isLock = rewrite.name.equals("lock");
            int site = rewrite.withSite ? site() : -1;
            if (isLock) sections.lockCall(site);
            boolean leaf = isLock && sections.unpushed();
            LeafSections.Outer outer = isLock ? sections.outer() : null;
            if (outer != null) {
                enterUnderNest(out, outer, site, rewrite.owner, "leafLockUnder", rewrite.underNestDescriptor());
                return;
            }
            if (rewrite.withSite) ldcInt(out, site);
            if (rewrite.stateDescriptor != null) {
                aload(out, state);
                invokeStatic(out, rewrite.owner, leaf ? "leafLock" : rewrite.name, rewrite.stateDescriptor);
                if (rewrite.returnsState()) astore(out, state);
            } else {
                invokeStatic(out, rewrite.owner, rewrite.name, rewrite.descriptor);
            }
        }

        private GrowingBytes before(int pc) {
            if (before[pc] == null) before[pc] = new GrowingBytes(16);
            return before[pc];
        }

        private GrowingBytes after(int pc) {
            if (after[pc] == null) after[pc] = new GrowingBytes(8);
            return after[pc];
        }

        private int site() {
            return CallSites.register(className, name, sourceFile, line);
        }

        private int methodSite() {
            if (methodSite < 0) methodSite = CallSites.register(className, name, sourceFile, -1);
            return methodSite;
        }

        private int releasedMonitor() {
            return state + 1;
        }

        private void pushMethodMonitor(GrowingBytes out) {
            if (isStatic) {
                ldc(out, thisClassIndex);
            } else {
                out.u1(ALOAD_0);
            }
        }

        private void monitorEnter(GrowingBytes out, int site, boolean leaf, LeafSections.Outer outer) {
            if (outer != null) {
                enterUnderNest(out, outer, site, TRACKER, "leafMonitorEnterUnder",
                        "(Ljava/lang/Object;Ljava/lang/Object;IILjava/lang/Object;)Ljava/lang/Object;");
                return;
            }
            if (leaf && !locksPartOfThis) {
                enterLeaf(out, site);
                return;
            }
            if (locksPartOfThis) out.u1(ALOAD_0); // the map or loader, after the bin or class-loading lock
            ldcInt(out, site);
            aload(out, state);
            invokeStatic(out, TRACKER, SiteRewrites.monitorEntry(locksPartOfThis), SiteRewrites.monitorEntryDescriptor(locksPartOfThis));
            astore(out, state);
        }

        /** A leaf section's entry: see {@link SiteRewrites#LEAF_ENTRY}. */
        private void enterLeaf(GrowingBytes out, int site) {
            aload(out, state);
            invokeStatic(out, TRACKER, SiteRewrites.THREAD_STATE, SiteRewrites.THREAD_STATE_DESCRIPTOR);
            out.u1(DUP);
            astore(out, state);
            invokeStatic(out, TRACKER, SiteRewrites.LEAF_ENTRY, SiteRewrites.LEAF_ENTRY_DESCRIPTOR);
            out.u1(SWAP);
            ldcInt(out, site);
            aload(out, state);
            out.u1(INVOKEVIRTUAL);
            out.u2(pool.methodref(SiteRewrites.LEAF_ENTRY_CLASS, SiteRewrites.LEAF_ENTER, SiteRewrites.LEAF_ENTER_DESCRIPTOR));
        }

        /** A leaf inside a nest: the nest's lock and site go along to the entry, as if the nest's lock were held. */
        private void enterUnderNest(GrowingBytes out, LeafSections.Outer outer, int site, String owner, String name,
                                    String descriptor) {
            loadOuter(out, outer);
            ldcInt(out, site);
            ldcInt(out, sections.siteOf(outer));
            aload(out, state);
            invokeStatic(out, owner, name, descriptor);
            astore(out, state);
        }

        private void loadOuter(GrowingBytes out, LeafSections.Outer outer) {
            if (outer.local >= 0) {
                aload(out, outer.local);
            } else if (outer.staticField) {
                out.u1(GETSTATIC);
                out.u2(pool.fieldref(outer.fieldOwner, outer.fieldName, outer.fieldDescriptor));
            } else {
                out.u1(ALOAD_0);
                out.u1(GETFIELD);
                out.u2(pool.fieldref(outer.fieldOwner, outer.fieldName, outer.fieldDescriptor));
            }
        }

        /** Stack: the monitor (consumed). */
        private void monitorExit(GrowingBytes out) {
            aload(out, state);
            invokeStatic(out, TRACKER, "monitorExit", "(Ljava/lang/Object;Ljava/lang/Object;)V");
        }

        private void recordDeferredRelease(GrowingBytes out) {
            releaseDue = false;
            releaseDeferred = false;
            aload(out, releasedMonitor());
            monitorExit(out);
            out.u1(ACONST_NULL);
            astore(out, releasedMonitor());
        }

        private void exitMethodMonitor(GrowingBytes out) {
            pushMethodMonitor(out);
            monitorExit(out);
        }

        // ---- the new code ----

        /** Lays the new code out (where each original instruction lands), then writes it into {@code out}. */
        private void layOutAndWrite(GrowingBytes out) {
            newPos = tables.newPos;
            instructionPos = tables.instructionPos;
            Arrays.fill(newPos, 0, codeLength + 1, -1);
            int pos = prologue.size();
            int pc = 0;
            while (pc < codeLength) {
                newPos[pc] = pos;
                if (before[pc] != null) pos += before[pc].size();
                instructionPos[pc] = pos;
                int next = next(pc);
                if (!replaced[pc]) pos += newLength(pc, pos, next);
                if (after[pc] != null) pos += after[pc].size();
                pc = next;
            }
            newPos[codeLength] = pos;
            if (trackMethodMonitor) pos += 16;
            if (pos > 0xFFFF) throw LEFT_TO_ASM;

            out.bytes(prologue.array(), 0, prologue.size());
            pc = 0;
            while (pc < codeLength) {
                if (before[pc] != null) out.bytes(before[pc].array(), 0, before[pc].size());
                int next = next(pc);
                if (!replaced[pc]) copyInstruction(pc, next, out);
                if (after[pc] != null) out.bytes(after[pc].array(), 0, after[pc].size());
                pc = next;
            }
            if (trackMethodMonitor) {
                // The catch-all handler: an exception leaving the method releases the monitor; record that, rethrow.
                exitMethodMonitor(out);
                out.u1(ATHROW);
            }
        }

        private int next(int pc) {
            int op = b[code + pc] & 0xff;
            int length = ClassFileSkim.LENGTH[op];
            return length > 0 ? pc + length : ClassFileSkim.afterVariableLength(b, code, pc, op, codeLength);
        }

        /** A switch's padding depends on where it now starts; every other instruction keeps its length. */
        private int newLength(int pc, int pos, int next) {
            int op = b[code + pc] & 0xff;
            if (op != TABLESWITCH && op != LOOKUPSWITCH) return next - pc;
            int oldPadding = 3 - (pc & 3);
            int newPadding = 3 - (pos & 3);
            return next - pc - oldPadding + newPadding;
        }

        private void copyInstruction(int pc, int next, GrowingBytes out) {
            int op = b[code + pc] & 0xff;
            int self = instructionPos[pc];
            if ((op >= 0x99 && op <= 0xa7) || op == 0xc6 || op == 0xc7) {
                int offset = at(pc + (short) u2(b, code + pc + 1)) - self;
                if (offset != (short) offset) throw LEFT_TO_ASM; // ASM would widen the jump
                out.u1(op);
                out.u2(offset & 0xFFFF);
            } else if (op == GOTO_W) {
                out.u1(op);
                out.u4(at(pc + u4(b, code + pc + 1)) - self);
            } else if (op == TABLESWITCH || op == LOOKUPSWITCH) {
                out.u1(op);
                while (((out.size() - codeStart) & 3) != 0) out.u1(0); // aligned in the code, not the class file
                int operands = (pc + 4) & ~3;
                out.u4(at(pc + u4(b, code + operands)) - self);
                if (op == TABLESWITCH) {
                    int low = u4(b, code + operands + 4);
                    int high = u4(b, code + operands + 8);
                    out.u4(low);
                    out.u4(high);
                    for (int i = 0; i <= high - low; i++) out.u4(at(pc + u4(b, code + operands + 12 + 4 * i)) - self);
                } else {
                    int pairs = u4(b, code + operands + 4);
                    out.u4(pairs);
                    for (int i = 0; i < pairs; i++) {
                        out.u4(u4(b, code + operands + 8 + 8 * i));
                        out.u4(at(pc + u4(b, code + operands + 12 + 8 * i)) - self);
                    }
                }
            } else {
                out.bytes(b, code + pc, next - pc);
            }
        }

        // ---- the tables that refer to offsets ----

        private void writeLineNumbers(int nameIndex, int from, GrowingBytes out) {
            int entries = u2(b, from);
            out.u2(nameIndex);
            out.u4(2 + 4 * entries);
            out.u2(entries);
            for (int i = 0; i < entries; i++) {
                out.u2(at(u2(b, from + 2 + 4 * i)));
                out.u2(u2(b, from + 4 + 4 * i));
            }
        }

        private void writeLocalVariables(int nameIndex, int from, GrowingBytes out) {
            int entries = u2(b, from);
            out.u2(nameIndex);
            out.u4(2 + 10 * entries);
            out.u2(entries);
            for (int i = 0; i < entries; i++) {
                int at = from + 2 + 10 * i;
                int start = u2(b, at);
                int newStart = at(start);
                out.u2(newStart);
                out.u2(at(start + u2(b, at + 2)) - newStart);
                out.bytes(b, at + 4, 6);
            }
        }

        /**
         * Every frame in full, with lockwatch's two locals after the method's own (unused slots in between are
         * top), then the handler's frame: {@code this} (or nothing) and the two locals, a Throwable on the stack.
         */
        private void writeFrames(int nameIndex, int table, int handler, GrowingBytes out) {
            out.u2(nameIndex);
            int attributeLength = out.startLength(); // it and the count of frames: filled in at the end
            int countAt = out.size();
            out.u2(0);
            int count = 0;
            int previous = -1;
            if (table >= 0) {
                // The frame being read: its locals and stack, rewritten in place from one frame to the next (a
                // frame is written out at once, so nothing needs a copy of its own).
                int[] locals = initialLocals();
                int localCount = locals.length;
                int[] stack = NO_TYPES;
                int stackCount = 0;
                int entries = u2(b, table);
                int p = table + 2;
                int offset = -1;
                for (int i = 0; i < entries; i++) {
                    int type = b[p++] & 0xff;
                    int delta;
                    if (type < 64) {
                        delta = type;
                        stackCount = 0;
                    } else if (type < 128) {
                        delta = type - 64;
                        stack = atLeast(stack, 1);
                        stack[0] = readType(p);
                        stackCount = 1;
                        p += typeLength(p);
                    } else if (type < 247) {
                        throw LEFT_TO_ASM;
                    } else {
                        delta = u2(b, p);
                        p += 2;
                        if (type == 247) {
                            stack = atLeast(stack, 1);
                            stack[0] = readType(p);
                            stackCount = 1;
                            p += typeLength(p);
                        } else if (type <= 251) {
                            int chopped = 251 - type;
                            if (chopped > localCount) throw LEFT_TO_ASM;
                            localCount -= chopped;
                            stackCount = 0;
                        } else if (type <= 254) {
                            int appended = type - 251;
                            locals = atLeast(locals, localCount + appended);
                            for (int k = 0; k < appended; k++) {
                                locals[localCount++] = readType(p);
                                p += typeLength(p);
                            }
                            stackCount = 0;
                        } else {
                            localCount = u2(b, p);
                            p += 2;
                            locals = atLeast(locals, localCount);
                            for (int k = 0; k < localCount; k++) {
                                locals[k] = readType(p);
                                p += typeLength(p);
                            }
                            stackCount = u2(b, p);
                            p += 2;
                            stack = atLeast(stack, stackCount);
                            for (int k = 0; k < stackCount; k++) {
                                stack[k] = readType(p);
                                p += typeLength(p);
                            }
                        }
                    }
                    offset = offset < 0 ? delta : offset + delta + 1;
                    int newOffset = at(offset);
                    writeFullFrame(out, previous < 0 ? newOffset : newOffset - previous - 1, locals, localCount, stack,
                            stackCount);
                    previous = newOffset;
                    count++;
                }
            }
            if (trackMethodMonitor) {
                int[] locals = isStatic ? NO_TYPES : new int[] {OBJECT_TYPE << 16 | thisClassIndex};
                int[] stack = {OBJECT_TYPE << 16 | pool.throwableClass()};
                writeFullFrame(out, previous < 0 ? handler : handler - previous - 1, locals, locals.length, stack, 1);
                count++;
            }
            out.set2(countAt, count);
            out.endLength(attributeLength);
        }

        /** {@code types} if it holds {@code length}, else a larger array with its contents. */
        private static int[] atLeast(int[] types, int length) {
            return types.length >= length ? types : Arrays.copyOf(types, Math.max(length, 2 * types.length));
        }

        /**
         * A full frame: the method's first {@code localCount} locals, then, when lockwatch adds its two locals,
         * top up to them and the two (both Object); then the stack.
         */
        private void writeFullFrame(GrowingBytes out, int delta, int[] locals, int localCount, int[] stack,
                                    int stackCount) {
            int tops = 0;
            if (state >= 0) {
                int slots = 0;
                for (int i = 0; i < localCount; i++) {
                    int tag = locals[i] >>> 16;
                    slots += tag == LONG || tag == DOUBLE ? 2 : 1;
                }
                if (slots > state) throw LEFT_TO_ASM;
                tops = state - slots;
            }
            out.u1(255);
            out.u2(delta);
            out.u2(localCount + (state >= 0 ? tops + 2 : 0));
            for (int i = 0; i < localCount; i++) writeType(out, locals[i]);
            if (state >= 0) {
                for (int i = 0; i < tops; i++) out.u1(TOP);
                int object = OBJECT_TYPE << 16 | pool.objectClass();
                writeType(out, object);
                writeType(out, object);
            }
            out.u2(stackCount);
            for (int i = 0; i < stackCount; i++) writeType(out, stack[i]);
        }

        private void writeType(GrowingBytes out, int type) {
            int tag = type >>> 16;
            out.u1(tag);
            if (tag == OBJECT_TYPE) {
                out.u2(type & 0xFFFF);
            } else if (tag == UNINITIALIZED) {
                int newAt = type & 0xFFFF;
                if (newAt >= codeLength || newPos[newAt] < 0) throw LEFT_TO_ASM;
                out.u2(instructionPos[newAt]); // the new instruction itself, after what goes before it
            }
        }

        private int readType(int p) {
            int tag = b[p] & 0xff;
            if (tag > UNINITIALIZED) throw LEFT_TO_ASM;
            return tag == OBJECT_TYPE || tag == UNINITIALIZED ? tag << 16 | u2(b, p + 1) : tag << 16;
        }

        private int typeLength(int p) {
            int tag = b[p] & 0xff;
            return tag == OBJECT_TYPE || tag == UNINITIALIZED ? 3 : 1;
        }

        /** The frame the JVM starts the method with: {@code this} and the parameters. */
        private int[] initialLocals() {
            List<Integer> locals = new ArrayList<>();
            if (!isStatic) {
                locals.add(name.equals("<init>") && !owner.equals("java/lang/Object")
                        ? UNINITIALIZED_THIS << 16 : OBJECT_TYPE << 16 | thisClassIndex);
            }
            int i = 1;
            while (descriptor.charAt(i) != ')') {
                char c = descriptor.charAt(i);
                int start = i;
                while (descriptor.charAt(i) == '[') i++;
                if (descriptor.charAt(i) == 'L') i = descriptor.indexOf(';', i);
                i++;
                if (start < i - 1 || c == 'L') {
                    String type = c == 'L' ? descriptor.substring(start + 1, i - 1) : descriptor.substring(start, i);
                    locals.add(OBJECT_TYPE << 16 | pool.classRef(type));
                } else if (c == 'J') {
                    locals.add(LONG << 16);
                } else if (c == 'D') {
                    locals.add(DOUBLE << 16);
                } else if (c == 'F') {
                    locals.add(FLOAT << 16);
                } else {
                    locals.add(INTEGER << 16);
                }
            }
            int[] out = new int[locals.size()];
            for (int k = 0; k < out.length; k++) out[k] = locals.get(k);
            return out;
        }

        // ---- instructions lockwatch inserts ----

        private void ldcInt(GrowingBytes out, int value) {
            ldc(out, pool.integer(value));
        }

        private void ldc(GrowingBytes out, int index) {
            if (index < 256) {
                out.u1(LDC);
                out.u1(index);
            } else {
                out.u1(LDC_W);
                out.u2(index);
            }
        }

        private void invokeStatic(GrowingBytes out, String methodOwner, String methodName, String methodDescriptor) {
            out.u1(INVOKESTATIC);
            out.u2(pool.methodref(methodOwner, methodName, methodDescriptor));
        }
    }

    private static void aload(GrowingBytes out, int local) {
        variable(out, ALOAD, ALOAD_0, local);
    }

    private static void astore(GrowingBytes out, int local) {
        variable(out, ASTORE, ASTORE_0, local);
    }

    private static void variable(GrowingBytes out, int op, int shortForm, int local) {
        if (local < 4) {
            out.u1(shortForm + local);
        } else if (local < 256) {
            out.u1(op);
            out.u1(local);
        } else {
            out.u1(WIDE);
            out.u1(op);
            out.u2(local);
        }
    }
}
