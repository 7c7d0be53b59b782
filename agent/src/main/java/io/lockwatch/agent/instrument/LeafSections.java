package io.lockwatch.agent.instrument;

import static io.lockwatch.agent.instrument.ClassFileSkim.u2;
import static io.lockwatch.agent.instrument.ClassFileSkim.u4;

/**
 * Finds the leaf critical sections of a method in its raw bytecode: {@code synchronized} blocks and
 * methods inside which the thread cannot take another lock, because their code calls no method, executes
 * no monitor instruction and loads or initializes no class (no {@code new}, no type check, no field of
 * another class). The tracker checks the order of such a monitor against the locks already held, but does
 * not push it on the thread's held stack: nothing is ever taken while it is held, so it can never be the
 * held end of an edge (see {@code LockTracker.leafMonitorEnter}). Most small critical sections (a counter,
 * a getter, a field swap) are leaves, and the push and pop were most of what tracking them cost.
 *
 * <p>The one thing that can still run inside a leaf is the constructor of an exception the JVM throws
 * there (a {@code NullPointerException}, say), whose {@code fillInStackTrace} locks the new exception:
 * that edge, from the leaf's monitor to an object nothing else has seen yet, is not recorded.
 *
 * <p>Everything here is conservative: a block is a leaf only in the shape javac (and other compilers)
 * give {@code synchronized}: {@code dup; astore n; monitorenter}, the body, {@code aload n; monitorexit},
 * with a catch-all handler covering the body that does {@code aload n; monitorexit} before anything that
 * could take a lock. Anything else is an ordinary lock site.
 */
final class LeafSections {
    /** Monitorenters of one method whose leafness is recorded, a bit each; later ones are ordinary sites. */
    static final int MAX_BLOCKS = 64;

    private static final int DUP = 0x59;
    private static final int ASTORE = 0x3a;
    private static final int ALOAD = 0x19;
    private static final int WIDE = 0xc4;
    private static final int ATHROW = 0xbf;
    private static final int GOTO_W = 0xc8;

    private LeafSections() {}

    /**
     * Is this synchronized method's code a leaf? Branches, switches, returns and throws are all fine here:
     * whatever path it takes, the method's monitor is released when it returns or throws.
     */
    static boolean isLeafMethod(byte[] b, int[] entry, int thisClass, int code, int codeLength) {
        for (int pc = 0; pc < codeLength; pc = next(b, code, pc, codeLength)) {
            int op = b[code + pc] & 0xff;
            boolean controlFlow = isBranch(op) || op == 0xaa || op == 0xab || (op >= 0xac && op <= 0xb1) || op == ATHROW;
            if (!controlFlow && !isPlain(b, entry, thisClass, code + pc, op)) return false;
        }
        return true;
    }

    /** Bit k is set when the method's k-th {@code monitorenter} (counted from 0, in code order) opens a leaf block. */
    static long leafBlocks(byte[] b, int[] entry, int thisClass, int code, int codeLength) {
        long leaves = 0;
        int ordinal = 0;
        int before = -1;
        int beforeThat = -1;
        for (int pc = 0; pc < codeLength; pc = next(b, code, pc, codeLength)) {
            if ((b[code + pc] & 0xff) == ClassFileSkim.MONITORENTER) {
                if (ordinal < MAX_BLOCKS && beforeThat >= 0 && (b[code + beforeThat] & 0xff) == DUP
                        && isLeafBlock(b, entry, thisClass, code, codeLength, pc, stored(b, code + before))) {
                    leaves |= 1L << ordinal;
                }
                ordinal++;
            }
            beforeThat = before;
            before = pc;
        }
        return leaves;
    }

    /**
     * The block opened at {@code enter}, whose monitor javac kept in local {@code local}: is every path from
     * it to the monitor's release free of anything that could take a lock?
     */
    private static boolean isLeafBlock(byte[] b, int[] entry, int thisClass, int code, int codeLength, int enter, int local) {
        if (local < 0) return false;
        int body = next(b, code, enter, codeLength);
        int exit = -1;
        int minTarget = Integer.MAX_VALUE;
        int maxTarget = -1;
        int previous = -1;
        for (int pc = body; pc < codeLength; pc = next(b, code, pc, codeLength)) {
            int op = b[code + pc] & 0xff;
            if (op == ClassFileSkim.MONITOREXIT) {
                if (previous < 0 || loaded(b, code + previous) != local) return false;
                exit = pc;
                break;
            }
            if (isBranch(op)) {
                int target = pc + (op == GOTO_W ? u4(b, code + pc + 1) : (short) u2(b, code + pc + 1));
                minTarget = Math.min(minTarget, target);
                maxTarget = Math.max(maxTarget, target);
            } else if (op != ATHROW && !isPlain(b, entry, thisClass, code + pc, op)) {
                return false;
            }
            if (stored(b, code + pc) == local) return false;
            previous = pc;
        }
        if (exit < 0 || minTarget <= enter || maxTarget > exit) return false; // every jump stays inside the block
        return handlersRelease(b, entry, thisClass, code, codeLength, body, exit, local);
    }

    /**
     * The exception handlers of the block's body, in the order the JVM tries them: each one outside the body
     * must release the monitor before anything else, and a catch-all covering the whole body must come
     * before any handler of an enclosing try (which the JVM then never reaches from the body).
     */
    private static boolean handlersRelease(byte[] b, int[] entry, int thisClass, int code, int codeLength,
                                           int body, int exit, int local) {
        int table = code + codeLength;
        int handlers = u2(b, table);
        for (int i = 0; i < handlers; i++) {
            int at = table + 2 + 8 * i;
            int start = u2(b, at);
            int end = u2(b, at + 2);
            int handler = u2(b, at + 4);
            if (start > exit || end <= body) continue; // does not cover the body
            boolean insideBody = handler >= body && handler <= exit; // scanned with the body already
            if (!insideBody && !releasesFirst(b, entry, thisClass, code, codeLength, handler, local)) return false;
            if (u2(b, at + 6) == 0 && start <= body && end >= exit) return true;
        }
        return false; // an exception could leave the method with the monitor held
    }

    /** Does the code at {@code pc} do {@code aload local; monitorexit} before any jump, call or other lock? */
    private static boolean releasesFirst(byte[] b, int[] entry, int thisClass, int code, int codeLength, int pc, int local) {
        int previous = -1;
        for (; pc < codeLength; pc = next(b, code, pc, codeLength)) {
            int op = b[code + pc] & 0xff;
            if (op == ClassFileSkim.MONITOREXIT) return previous >= 0 && loaded(b, code + previous) == local;
            if (!isPlain(b, entry, thisClass, code + pc, op) || stored(b, code + pc) == local) return false;
            previous = pc;
        }
        return false;
    }

    /**
     * An instruction that neither transfers control nor can take a lock: constants (numbers and strings),
     * locals, the operand stack, arithmetic, arrays of primitives, and fields of the class itself (already
     * loaded and initialized, as its code runs). Calls, monitors, {@code new} and the instructions that may
     * load a class are not.
     */
    private static boolean isPlain(byte[] b, int[] entry, int thisClass, int at, int op) {
        if (op <= 0x11) return true; // nop, constants, bipush, sipush
        if (op == 0x12) return isValueConstant(b, entry, b[at + 1] & 0xff); // ldc
        if (op == 0x13 || op == 0x14) return isValueConstant(b, entry, u2(b, at + 1)); // ldc_w, ldc2_w
        if (op <= 0x98) return true; // loads, stores, array elements, stack, arithmetic, conversions, comparisons
        if (op >= 0xb2 && op <= 0xb5) return isOwnField(b, entry, thisClass, u2(b, at + 1));
        if (op == 0xbc || op == 0xbe) return true; // newarray (of a primitive type), arraylength
        if (op == WIDE) return (b[at + 1] & 0xff) != 0xa9; // a wide load, store or iinc; not ret
        return false;
    }

    /** Integer, float, long, double or string: no class to load, no bootstrap method to run. */
    private static boolean isValueConstant(byte[] b, int[] entry, int index) {
        if (index <= 0 || index >= entry.length || entry[index] == 0) return false;
        int tag = b[entry[index]] & 0xff;
        return tag == 3 || tag == 4 || tag == 5 || tag == 6 || tag == 8;
    }

    /** A field reference whose class is the class being scanned. */
    private static boolean isOwnField(byte[] b, int[] entry, int thisClass, int index) {
        if (index <= 0 || index >= entry.length || entry[index] == 0 || (b[entry[index]] & 0xff) != 9) return false;
        int classIndex = u2(b, entry[index] + 1);
        if (classIndex == thisClass) return true;
        if (classIndex <= 0 || classIndex >= entry.length) return false;
        int name = entry[u2(b, entry[classIndex] + 1)];
        int ownName = entry[u2(b, entry[thisClass] + 1)];
        int length = u2(b, name + 1);
        if (length != u2(b, ownName + 1)) return false;
        for (int i = 0; i < length; i++) {
            if (b[name + 3 + i] != b[ownName + 3 + i]) return false;
        }
        return true;
    }

    /** The conditional branches, goto, ifnull, ifnonnull and goto_w; not jsr, whose return is unknown here. */
    private static boolean isBranch(int op) {
        return (op >= 0x99 && op <= 0xa7) || op == 0xc6 || op == 0xc7 || op == GOTO_W;
    }

    /** The local an {@code astore} at {@code at} writes to, or -1. */
    private static int stored(byte[] b, int at) {
        int op = b[at] & 0xff;
        if (op == ASTORE) return b[at + 1] & 0xff;
        if (op >= 0x4b && op <= 0x4e) return op - 0x4b; // astore_0..3
        if (op == WIDE && (b[at + 1] & 0xff) == ASTORE) return u2(b, at + 2);
        return -1;
    }

    /** The local an {@code aload} at {@code at} reads, or -1. */
    private static int loaded(byte[] b, int at) {
        int op = b[at] & 0xff;
        if (op == ALOAD) return b[at + 1] & 0xff;
        if (op >= 0x2a && op <= 0x2d) return op - 0x2a; // aload_0..3
        if (op == WIDE && (b[at + 1] & 0xff) == ALOAD) return u2(b, at + 2);
        return -1;
    }

    private static int next(byte[] b, int code, int pc, int codeLength) {
        int op = b[code + pc] & 0xff;
        int length = ClassFileSkim.LENGTH[op];
        if (length < 0) throw new IllegalArgumentException("opcode " + op);
        int next = length > 0 ? pc + length : ClassFileSkim.afterVariableLength(b, code, pc, op, codeLength);
        if (next <= pc) throw new IllegalArgumentException("operands of opcode " + op);
        return next;
    }
}
