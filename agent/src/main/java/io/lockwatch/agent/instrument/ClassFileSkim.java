package io.lockwatch.agent.instrument;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The cheapest possible first look at a class file: can it have a lock site at all? Most classes cannot,
 * and for those this walk of the raw bytes (no ASM, no allocation but one small array) is all the
 * transformer does. It reads the constant pool, the method flags and the bytecode, and says "maybe" when
 * the class
 * <ul>
 *   <li>is {@code java.lang.Thread}, {@code VirtualThread} or {@code FutureTask} (their hooks),</li>
 *   <li>has a {@code synchronized} method,</li>
 *   <li>has a {@code monitorenter} or {@code monitorexit} instruction, or</li>
 *   <li>calls a method of a class whose calls are rewritten (the {@code java.util.concurrent} locks and
 *       synchronizers of {@link SiteRewrites} and {@link WaitSiteVisitor}): every call is a method
 *       reference in the constant pool, naming its owner class.</li>
 * </ul>
 * Those are exactly the ways {@link LockSiteScanner} can find a site, so "no" here is always right; "maybe"
 * goes on to the full scan. Anything this walk does not understand (a malformed or future class file) is
 * a "maybe" too.
 */
final class ClassFileSkim {
    static final byte[] THREAD = ascii(ThreadHooks.THREAD);
    static final byte[] VIRTUAL_THREAD = ascii(ThreadHooks.VIRTUAL_THREAD);
    static final byte[] FUTURE_TASK = ascii(ThreadHooks.FUTURE_TASK);
    static final byte[] BLOCKER = ascii(ThreadHooks.BLOCKER);
    static final byte[] CODE = ascii("Code");
    private static final byte[] CONCURRENT = ascii("java/util/concurrent/");
    private static final byte[][] OWNERS = owners();
    private static final byte[][] LOCK_OWNERS = ascii(SiteRewrites.LOCK_OWNERS, List.of());
    private static final byte[][] METHOD_NAMES = methodNames();

    static final int ACC_SYNCHRONIZED = 0x0020;
    static final int MONITORENTER = 0xc2;
    static final int MONITOREXIT = 0xc3;

    /**
     * Length of each instruction by opcode; 0 for the variable-length ones (tableswitch, lookupswitch,
     * wide) and -1 for opcodes that are not valid in a class file.
     */
    static final byte[] LENGTH = new byte[256];

    static {
        for (int op = 0; op < 256; op++) LENGTH[op] = -1;
        for (int op = 0x00; op <= 0xc3; op++) LENGTH[op] = 1;
        set(2, 0x10, 0x12, 0x15, 0x16, 0x17, 0x18, 0x19, 0x36, 0x37, 0x38, 0x39, 0x3a, 0xa9, 0xbc);
        set(3, 0x11, 0x13, 0x14, 0x84, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xbb, 0xbd, 0xc0, 0xc1, 0xc6, 0xc7);
        for (int op = 0x99; op <= 0xa8; op++) LENGTH[op] = 3; // conditional branches, goto, jsr
        set(4, 0xc5);
        set(5, 0xb9, 0xba, 0xc8, 0xc9);
        set(0, 0xaa, 0xab, 0xc4);
    }

    private ClassFileSkim() {}

    private static void set(int length, int... opcodes) {
        for (int op : opcodes) LENGTH[op] = (byte) length;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[][] owners() {
        return ascii(SiteRewrites.LOCK_OWNERS, WaitSiteVisitor.owners());
    }

    private static byte[][] methodNames() {
        return ascii(SiteRewrites.METHOD_NAMES, WaitSiteVisitor.methodNames());
    }

    /** The lock rewrites' names, then the wait rewrites', as bytes. */
    private static byte[][] ascii(String[] locks, List<String> waits) {
        byte[][] out = new byte[locks.length + waits.size()][];
        int i = 0;
        for (String text : locks) out[i++] = ascii(text);
        for (String text : waits) out[i++] = ascii(text);
        return out;
    }

    /** @return false only when the class certainly has no lock site; true when it may have one */
    static boolean mayHaveSites(byte[] classFile) {
        try {
            return skim(classFile);
        } catch (RuntimeException e) { // out of bounds: malformed, let the full scan decide
            return true;
        }
    }

    /**
     * The skim's two tables, one entry per constant: kept for the next class (one set, taken by whichever
     * thread skims next, weakly: {@link SpareTables}), since every class the JVM loads is skimmed and most are
     * then passed over.
     */
    private static final class Tables extends SpareTables.Kept<Tables> {
        /** Tables of classes with up to this many constants are kept (40 KB at most). */
        static final int MAX_KEPT = 8192;

        int[] entry = new int[0]; // offset of each constant pool entry
        boolean[] ownerName = new boolean[0]; // Utf8 entries that name a class whose calls are rewritten

        Tables fitTo(int count) {
            if (entry.length < count) {
                entry = new int[count];
                ownerName = new boolean[count];
            } else {
                Arrays.fill(ownerName, 0, count, false); // entry: written in full before it is read
            }
            return this;
        }
    }

    private static final SpareTables<Tables> SPARE_TABLES = new SpareTables<>();

    private static boolean skim(byte[] b) {
        if (u2(b, 0) != 0xCAFE || u2(b, 2) != 0xBABE) return true;
        int count = u2(b, 8);
        Tables spare = SPARE_TABLES.take();
        Tables tables = (spare != null ? spare : new Tables()).fitTo(count);
        try {
            return skim(b, count, tables.entry, tables.ownerName);
        } finally {
            if (tables.entry.length <= Tables.MAX_KEPT) SPARE_TABLES.keep(tables);
        }
    }

    private static boolean skim(byte[] b, int count, int[] entry, boolean[] ownerName) {
        int p = readConstantPool(b, entry, count, ownerName);
        if (p < 0) return true;
        if (ownerName[0] && callsOwner(b, entry, count, ownerName)) return true;
        int thisClass = entry[u2(b, p + 2)];
        if ((b[thisClass] & 0xff) != 7 || isHookedClass(b, entry[u2(b, thisClass + 1)])) return true;
        p += 6;
        p += 2 + 2 * u2(b, p); // interfaces
        int fields = u2(b, p);
        p += 2;
        for (int f = 0; f < fields; f++) p = skipMember(b, p);
        int methods = u2(b, p);
        p += 2;
        for (int m = 0; m < methods; m++) {
            if ((u2(b, p) & ACC_SYNCHRONIZED) != 0) return true;
            int attributes = u2(b, p + 6);
            p += 8;
            for (int a = 0; a < attributes; a++) {
                int length = u4(b, p + 2);
                if (utf8Equals(b, entry[u2(b, p)], CODE) && hasMonitorInstruction(b, p + 14, u4(b, p + 10))) return true;
                p += 6 + length;
            }
        }
        return false;
    }

    /**
     * Records where each constant pool entry starts ({@code entry[i]}; 0 for the second slot of a Long or
     * Double) and, when {@code ownerNames} is given, marks the Utf8 entries that name a class whose calls
     * are rewritten, with {@code ownerNames[0]} (no entry has index 0) set if there is any.
     *
     * @return the offset just after the pool, or -1 at a tag this walk does not know (a future class file)
     */
    static int readConstantPool(byte[] b, int[] entry, int count, boolean[] ownerNames) {
        int p = 10;
        for (int i = 1; i < count; i++) {
            entry[i] = p;
            switch (b[p] & 0xff) {
                case 1: // Utf8
                    int length = u2(b, p + 1);
                    if (ownerNames != null && isOwner(b, p + 3, length)) {
                        ownerNames[i] = true;
                        ownerNames[0] = true;
                    }
                    p += 3 + length;
                    break;
                case 7: case 8: case 16: case 19: case 20: // Class, String, MethodType, Module, Package
                    p += 3;
                    break;
                case 15: // MethodHandle
                    p += 4;
                    break;
                case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18:
                    p += 5;
                    break;
                case 5: case 6: // Long, Double: two slots; the second is no entry (0, written: the array may be used)
                    p += 9;
                    if (++i < count) entry[i] = 0;
                    break;
                default:
                    return -1;
            }
        }
        return p;
    }

    /**
     * Does a Methodref or InterfaceMethodref call a rewritten method (by name) of one of those classes?
     * (The lock classes name their own class in the pool too, and call their other methods.)
     */
    private static boolean callsOwner(byte[] b, int[] entry, int count, boolean[] ownerName) {
        for (int i = 1; i < count; i++) {
            int at = entry[i];
            if (at == 0) continue; // the second slot of a Long or Double
            int tag = b[at] & 0xff;
            if (tag != 10 && tag != 11) continue;
            int owner = entry[u2(b, at + 1)];
            if ((b[owner] & 0xff) != 7 || !ownerName[u2(b, owner + 1)]) continue;
            int name = entry[u2(b, entry[u2(b, at + 3)] + 1)];
            for (byte[] method : METHOD_NAMES) {
                if (utf8Equals(b, name, method)) return true;
            }
        }
        return false;
    }

    static int skipMember(byte[] b, int p) {
        int attributes = u2(b, p + 6);
        p += 8;
        for (int a = 0; a < attributes; a++) p += 6 + u4(b, p + 2);
        return p;
    }

    /** java.lang.Thread, VirtualThread, FutureTask or Blocker, which {@link ThreadHooks} hooks: the name at that utf8 entry. */
    static boolean isHookedClass(byte[] b, int utf8Entry) {
        return utf8Equals(b, utf8Entry, THREAD) || utf8Equals(b, utf8Entry, VIRTUAL_THREAD)
                || utf8Equals(b, utf8Entry, FUTURE_TASK) || utf8Equals(b, utf8Entry, BLOCKER);
    }

    /** Walks the instructions of one method's code (so operands are never mistaken for opcodes). */
    private static boolean hasMonitorInstruction(byte[] b, int code, int codeLength) {
        if (codeLength < 0 || code + codeLength > b.length) return true;
        int pc = 0;
        while (pc < codeLength) {
            int op = b[code + pc] & 0xff;
            if (op == MONITORENTER || op == MONITOREXIT) return true;
            pc = nextInstruction(b, code, pc, op, codeLength);
            if (pc < 0) return true; // not something this walk understands: let the full scan decide
        }
        return false;
    }

    /** Where the instruction after {@code op} at {@code pc} starts; -1 for an unknown opcode or operands that make no sense. */
    static int nextInstruction(byte[] b, int code, int pc, int op, int codeLength) {
        int length = LENGTH[op];
        return length > 0 ? pc + length : length < 0 ? -1 : afterVariableLength(b, code, pc, op, codeLength);
    }

    /**
     * Where the instruction after {@code wide}, {@code tableswitch} or {@code lookupswitch} at {@code pc}
     * starts; -1 when its operands make no sense.
     */
    static int afterVariableLength(byte[] b, int code, int pc, int op, int codeLength) {
        if (op == 0xc4) return pc + ((b[code + pc + 1] & 0xff) == 0x84 ? 6 : 4); // wide: iinc has 2 operands
        int operands = (pc + 4) & ~3; // padded to a multiple of 4 from the start of the code
        if (op == 0xaa) {
            long entries = (long) u4(b, code + operands + 8) - u4(b, code + operands + 4) + 1;
            return entries < 0 || entries > codeLength ? -1 : operands + 12 + (int) entries * 4;
        }
        int pairs = u4(b, code + operands + 4);
        return pairs < 0 || pairs > codeLength ? -1 : operands + 8 + pairs * 8;
    }

    static boolean isOwner(byte[] b, int from, int length) {
        return isOneOf(b, from, length, OWNERS);
    }

    /** Is this class name (bytes) one of the {@code Lock} types whose calls are rewritten ({@link SiteRewrites#LOCK_OWNERS})? */
    static boolean isLockOwner(byte[] b, int from, int length) {
        return isOneOf(b, from, length, LOCK_OWNERS);
    }

    private static boolean isOneOf(byte[] b, int from, int length, byte[][] owners) {
        if (length < CONCURRENT.length || b[from] != 'j' || !regionEquals(b, from, CONCURRENT, CONCURRENT.length)) return false;
        for (byte[] owner : owners) {
            if (owner.length == length && regionEquals(b, from, owner, length)) return true;
        }
        return false;
    }

    /** Is the constant pool entry at {@code entry} the Utf8 constant {@code text}? */
    static boolean utf8Equals(byte[] b, int entry, byte[] text) {
        return (b[entry] & 0xff) == 1 && u2(b, entry + 1) == text.length && regionEquals(b, entry + 3, text, text.length);
    }

    private static boolean regionEquals(byte[] b, int from, byte[] text, int length) {
        for (int i = 0; i < length; i++) {
            if (b[from + i] != text[i]) return false;
        }
        return true;
    }

    /**
     * Are these bytes all ASCII but NUL (each one character, in modified UTF-8 and in Latin-1 alike)? Nearly every
     * name and descriptor is.
     */
    static boolean isAscii(byte[] b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] <= 0) return false;
        }
        return true;
    }

    static int u2(byte[] b, int p) {
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }

    static int u4(byte[] b, int p) {
        return ((b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
    }
}
