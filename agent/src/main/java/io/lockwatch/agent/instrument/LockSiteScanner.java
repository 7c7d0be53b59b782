package io.lockwatch.agent.instrument;

import static io.lockwatch.agent.instrument.ClassFileSkim.u2;
import static io.lockwatch.agent.instrument.ClassFileSkim.u4;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A read of a class file before anything is changed, for a class {@link ClassFileSkim} could not rule out:
 * does it take a lock at all, which of its methods do (only those are rewritten; ASM copies the others as
 * they are), and which synchronized methods cannot be instrumented safely. It walks the raw bytes, like
 * the skim: an ASM read of every method would cost more than the rewrite that follows, and ASM runs
 * interpreted while the JVM starts. {@code AsmLockSiteScanner} in the tests is the same scan written with
 * ASM's visitors, and the two must agree on every class of the JDK.
 */
final class LockSiteScanner {
    /** What the scan found. */
    static final class Result {
        boolean hasSites;
        /** Synchronized instance methods (name + descriptor) whose code overwrites local 0 ({@code this}). */
        final Set<String> thisOverwritten = new HashSet<>();
        /** Methods (name + descriptor) that are synchronized or have a lock or wait site. */
        final Set<String> methodsWithSites = new HashSet<>();
        /** Every method is looked at (Thread, VirtualThread, FutureTask: their hooks are not lock sites). */
        boolean allMethods;
        /** The same methods by their place in the class file (for the raw rewriter: no strings made). */
        boolean[] methodHasSites = new boolean[0];
        /** Where each constant pool entry starts, and where the pool ends (for the raw rewriter). */
        int[] constantPool;
        int constantPoolEnd;
        /** The number of local variable slots of each method with sites: the next one is free for us. */
        final Map<String, Integer> maxLocals = new HashMap<>();
        /** Synchronized methods (name + descriptor) whose code is a leaf critical section (see {@link LeafSections}). */
        final Set<String> leafMethods = new HashSet<>();
        /** Per method (name + descriptor) with a leaf section: its leaves and nests (see {@link LeafSections}). */
        final Map<String, LeafSections.Found> sections = new HashMap<>();

        /**
         * A method's key in these tables: its name and descriptor. A rewrite makes it once per method and looks
         * everything up with it (each concatenation is garbage while a service starts).
         */
        static String key(String name, String descriptor) {
            return name + descriptor;
        }

        /** The method's leaves and nests, looked up once per rewritten method. */
        LeafSections.Found sections(String method) {
            LeafSections.Found found = sections.get(method);
            return found == null ? LeafSections.Found.NONE : found;
        }

        /** @return the first free local variable slot of the method, or -1 when unknown */
        int freeLocal(String method) {
            Integer max = maxLocals.get(method);
            return max == null ? -1 : max;
        }

        /** Does the method need rewriting? The others are copied as they are, which is much cheaper. */
        boolean rewrites(String method) {
            return allMethods || methodsWithSites.contains(method);
        }

        /** Has the class file's method number {@code index} a site? */
        boolean hasSites(int index) {
            return index < methodHasSites.length && methodHasSites[index];
        }
    }

    private static final int ACC_STATIC = 0x0008;
    private static final int INVOKEVIRTUAL = 0xb6;
    private static final int INVOKEINTERFACE = 0xb9;
    private static final int IINC = 0x84;
    private static final int WIDE = 0xc4;
    /** What the walk of one method's code found. */
    private static final int SITE = 1;
    private static final int STORES_THIS = 2;

    /** {@link IgnoreRules#THREAD_PRIVATE}'s classes (internal names) and methods, as bytes: matched without making strings. */
    private static final byte[][] PRIVATE_CLASSES = new byte[IgnoreRules.THREAD_PRIVATE.length][];
    private static final byte[][] PRIVATE_METHODS = new byte[IgnoreRules.THREAD_PRIVATE.length][];

    static {
        for (int i = 0; i < IgnoreRules.THREAD_PRIVATE.length; i++) {
            PRIVATE_CLASSES[i] = ClassFileSkim.ascii(IgnoreRules.THREAD_PRIVATE[i][0].replace('.', '/'));
            PRIVATE_METHODS[i] = ClassFileSkim.ascii(IgnoreRules.THREAD_PRIVATE[i][1]);
        }
    }

    private LockSiteScanner() {}

    /** Would the transformer rewrite this class: does it take a lock? The skim first, for most classes the answer. */
    static boolean takesLocks(byte[] classFile) {
        return ClassFileSkim.mayHaveSites(classFile) && scan(classFile).hasSites;
    }

    /** @throws RuntimeException when the class file is malformed (the transformer counts it and moves on) */
    static Result scan(byte[] b) {
        if (u2(b, 0) != 0xCAFE || u2(b, 2) != 0xBABE) throw new IllegalArgumentException("not a class file");
        Result result = new Result();
        int[] entry = new int[u2(b, 8)];
        int p = ClassFileSkim.readConstantPool(b, entry, entry.length, null);
        if (p < 0) throw new IllegalArgumentException("constant pool tag");
        result.constantPool = entry;
        result.constantPoolEnd = p;
        int thisClassIndex = u2(b, p + 2);
        int thisClass = entry[thisClassIndex];
        int className = entry[u2(b, thisClass + 1)];
        boolean hasThreadPrivateMethods = threadPrivateRule(b, className, -1) >= 0;
        if (ClassFileSkim.isHookedClass(b, className)) {
            result.hasSites = true;
            result.allMethods = true;
        }
        p = fieldsAt(b, p);
        int fields = u2(b, p);
        p += 2;
        LeafSections leaves = new LeafSections(b, entry, thisClassIndex, LeafSections.finalFields(b, p, fields));
        for (int f = 0; f < fields; f++) p = ClassFileSkim.skipMember(b, p);
        int methods = u2(b, p);
        p += 2;
        result.methodHasSites = new boolean[methods];
        for (int m = 0; m < methods; m++) {
            int access = u2(b, p);
            int nameIndex = u2(b, p + 2);
            int descriptorIndex = u2(b, p + 4);
            boolean isSynchronized = (access & ClassFileSkim.ACC_SYNCHRONIZED) != 0;
            int found = isSynchronized ? SITE : 0;
            int maxLocals = -1;
            boolean leafMethod = false;
            LeafSections.Found sections = null;
            int attributes = u2(b, p + 6);
            p += 8;
            for (int a = 0; a < attributes; a++) {
                int length = u4(b, p + 2);
                if (ClassFileSkim.utf8Equals(b, entry[u2(b, p)], ClassFileSkim.CODE)) {
                    maxLocals = u2(b, p + 8);
                    int code = p + 14;
                    int codeLength = u4(b, p + 10);
                    leaves.startMethod(code, codeLength);
                    found |= walk(b, entry, code, codeLength, isSynchronized && (access & ACC_STATIC) == 0, leaves);
                    if (isSynchronized) leafMethod = leaves.isLeafMethod(code, codeLength);
                    sections = leaves.found();
                }
                p += 6 + length;
            }
            // Its lock is private to one thread (IgnoreRules): the method is copied as it is.
            if (hasThreadPrivateMethods && threadPrivateRule(b, className, entry[nameIndex]) >= 0) found = 0;
            if (found != 0) {
                String method = Result.key(utf8(b, entry[nameIndex]), utf8(b, entry[descriptorIndex]));
                if ((found & SITE) != 0) {
                    result.hasSites = true;
                    result.methodHasSites[m] = true;
                    result.methodsWithSites.add(method);
                    if (maxLocals >= 0) result.maxLocals.put(method, maxLocals);
                }
                if ((found & STORES_THIS) != 0) result.thisOverwritten.add(method);
                if (leafMethod) result.leafMethods.add(method);
                if (sections != null) result.sections.put(method, sections);
            }
        }
        return result;
    }

    /** Where the fields start, given where the constant pool ends: after the access flags, names and interfaces. */
    private static int fieldsAt(byte[] b, int constantPoolEnd) {
        int interfaces = constantPoolEnd + 6;
        return interfaces + 2 + 2 * u2(b, interfaces);
    }

    /**
     * Takes one method off the scan's list, so that it is copied as it is and the class's other methods are
     * still instrumented: for a method whose lock sites would take it past the class file format's 64 KiB of
     * code (generated parsers and templates can be that large). A monitor is entered and exited within one
     * method, so leaving one method's monitors untracked cannot unbalance another's. A {@code Lock} can be
     * locked in one method and unlocked in another, and one locked where lockwatch sees it and unlocked
     * where it does not would stay held in its eyes; so a method that calls a rewritten {@code Lock} method is
     * never left out alone, and the caller leaves the whole class as it is instead.
     *
     * @param method name and descriptor
     * @return whether the method was taken off; false when it calls a {@code Lock} method, or has no sites
     */
    static boolean leaveOut(byte[] b, Result result, String method) {
        if (result.allMethods || !result.methodsWithSites.contains(method)) return false;
        int[] entry = result.constantPool;
        int p = fieldsAt(b, result.constantPoolEnd);
        int fields = u2(b, p);
        p += 2;
        for (int f = 0; f < fields; f++) p = ClassFileSkim.skipMember(b, p);
        int methods = u2(b, p);
        p += 2;
        for (int m = 0; m < methods; m++) {
            int member = p;
            p = ClassFileSkim.skipMember(b, p);
            if (!result.methodHasSites[m]
                    || !method.equals(utf8(b, entry[u2(b, member + 2)]) + utf8(b, entry[u2(b, member + 4)]))) continue;
            if (callsLockMethods(b, entry, member)) return false;
            result.methodHasSites[m] = false;
            result.methodsWithSites.remove(method);
            result.hasSites = !result.methodsWithSites.isEmpty();
            return true;
        }
        return false;
    }

    /** Does the method (its member_info at {@code member}) call a {@code Lock} method that {@link SiteRewrites} rewrites? */
    private static boolean callsLockMethods(byte[] b, int[] entry, int member) {
        int attributes = u2(b, member + 6);
        int p = member + 8;
        for (int a = 0; a < attributes; a++) {
            if (ClassFileSkim.utf8Equals(b, entry[u2(b, p)], ClassFileSkim.CODE)) {
                int code = p + 14;
                int codeLength = u4(b, p + 10);
                for (int pc = 0; pc < codeLength; ) {
                    int op = b[code + pc] & 0xff;
                    if ((op == INVOKEVIRTUAL || op == INVOKEINTERFACE) && isLockCall(b, entry, op, u2(b, code + pc + 1))) return true;
                    pc = ClassFileSkim.nextInstruction(b, code, pc, op, codeLength);
                    if (pc < 0) return true; // not understood (the scan would have thrown): leave the whole class
                }
            }
            p += 6 + u4(b, p + 2);
        }
        return false;
    }

    /**
     * The {@link IgnoreRules#THREAD_PRIVATE} rule for the class (its name's Utf8 entry) and method (its name's
     * entry, or -1 for any of the class's rules), or -1 when there is none.
     */
    private static int threadPrivateRule(byte[] b, int className, int methodName) {
        for (int i = 0; i < PRIVATE_CLASSES.length; i++) {
            if (ClassFileSkim.utf8Equals(b, className, PRIVATE_CLASSES[i])
                    && (methodName < 0 || ClassFileSkim.utf8Equals(b, methodName, PRIVATE_METHODS[i]))) return i;
        }
        return -1;
    }

    /**
     * One method's instructions: a lock site anywhere, and (if asked) a store into local 0. Each
     * {@code monitorenter} and {@code lock()} call is shown to {@code leaves} on the way.
     */
    private static int walk(byte[] b, int[] entry, int code, int codeLength, boolean watchThis, LeafSections leaves) {
        if (codeLength < 0 || code + codeLength > b.length) throw new IllegalArgumentException("code length");
        int found = 0;
        int pc = 0;
        int before = -1;
        int beforeThat = -1;
        while (pc < codeLength) {
            int at = code + pc;
            int op = b[at] & 0xff;
            if (op == ClassFileSkim.MONITORENTER || op == ClassFileSkim.MONITOREXIT) {
                found |= SITE;
                if (op == ClassFileSkim.MONITORENTER) leaves.monitorEnter(pc, before, beforeThat);
            } else if (op == INVOKEVIRTUAL || op == INVOKEINTERFACE) {
                if (leaves.isLockCall(pc, op)) {
                    found |= SITE;
                    leaves.lockCall(pc, before, beforeThat);
                } else if ((found & SITE) == 0 && isSiteCall(b, entry, op, u2(b, at + 1))) {
                    found |= SITE;
                }
            } else if (watchThis && storesLocalZero(b, at, op)) {
                found |= STORES_THIS;
            }
            beforeThat = before;
            before = pc;
            int length = ClassFileSkim.LENGTH[op];
            if (length < 0) throw new IllegalArgumentException("opcode " + op);
            pc = length > 0 ? pc + length : ClassFileSkim.afterVariableLength(b, code, pc, op, codeLength);
            if (pc < 0) throw new IllegalArgumentException("operands of opcode " + op);
        }
        return found;
    }

    /** istore..astore (also their _0 forms, and wide) into local 0, or iinc of local 0. */
    private static boolean storesLocalZero(byte[] b, int at, int op) {
        if ((op >= 0x36 && op <= 0x3a) || op == IINC) return b[at + 1] == 0; // istore..astore n, iinc n c
        if (op >= 0x3b && op <= 0x4e) return (op - 0x3b) % 4 == 0; // istore_0, lstore_0, fstore_0, dstore_0, astore_0
        if (op == WIDE) {
            int widened = b[at + 1] & 0xff;
            return ((widened >= 0x36 && widened <= 0x3a) || widened == IINC) && u2(b, at + 2) == 0;
        }
        return false;
    }

    /** Is this call (its Methodref or InterfaceMethodref) one that {@link SiteRewrites} or the wait visitor rewrites? */
    private static boolean isSiteCall(byte[] b, int[] entry, int opcode, int index) {
        return isCallOf(b, entry, opcode, index, true);
    }

    /** Is this call one that {@link SiteRewrites} rewrites: a lock or an unlock? */
    private static boolean isLockCall(byte[] b, int[] entry, int opcode, int index) {
        return isCallOf(b, entry, opcode, index, false);
    }

    private static boolean isCallOf(byte[] b, int[] entry, int opcode, int index, boolean orWait) {
        int ref = entry[index];
        int tag = b[ref] & 0xff;
        if (tag != 10 && tag != 11) return false;
        int owner = entry[u2(b, entry[u2(b, ref + 1)] + 1)];
        if (!ClassFileSkim.isOwner(b, owner + 3, u2(b, owner + 1))) return false; // the usual case: no strings made
        int nameAndType = entry[u2(b, ref + 3)];
        String ownerName = utf8(b, owner);
        String name = utf8(b, entry[u2(b, nameAndType + 1)]);
        String descriptor = utf8(b, entry[u2(b, nameAndType + 3)]);
        return SiteRewrites.isSite(opcode, ownerName, name, descriptor)
                || (orWait && WaitSiteVisitor.isWaitSite(opcode, ownerName, name, descriptor));
    }

    /** The text of the Utf8 constant at {@code entry} (modified UTF-8, as class files store it). */
    static String utf8(byte[] b, int entry) {
        if ((b[entry] & 0xff) != 1) throw new IllegalArgumentException("not a Utf8 constant");
        int length = u2(b, entry + 1);
        int p = entry + 3;
        int end = p + length;
        if (ClassFileSkim.isAscii(b, p, end)) return new String(b, p, length, StandardCharsets.ISO_8859_1); // copied whole
        char[] out = new char[length];
        int n = 0;
        while (p < end) {
            int c = b[p++] & 0xff;
            if (c < 0x80) {
                out[n++] = (char) c;
            } else if (c < 0xe0) {
                out[n++] = (char) (((c & 0x1f) << 6) | (b[p++] & 0x3f));
            } else {
                out[n++] = (char) (((c & 0x0f) << 12) | ((b[p++] & 0x3f) << 6) | (b[p++] & 0x3f));
            }
        }
        return new String(out, 0, n);
    }
}
