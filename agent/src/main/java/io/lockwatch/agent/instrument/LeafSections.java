package io.lockwatch.agent.instrument;

import java.util.Arrays;

import static io.lockwatch.agent.instrument.ClassFileSkim.u2;
import static io.lockwatch.agent.instrument.ClassFileSkim.u4;

/**
 * Finds the leaf critical sections of a class's methods in its raw bytecode: {@code synchronized} blocks
 * and methods, and {@code lock()}/{@code unlock()} pairs, inside which the thread cannot take another lock,
 * because the code there calls no method, executes no monitor instruction and loads or initializes no
 * class (no {@code new}, no type check, no field of another class). The tracker checks the order of such a
 * lock against the locks already held, but does not push it on the thread's held stack: nothing is ever
 * taken while it is held, so it can never be the held end of an edge (see
 * {@code LockTracker.leafEntry}). Most small critical sections (a counter, a getter, a field swap)
 * are leaves, and the push and pop were most of what tracking them cost.
 *
 * <p>The one thing that can still run inside a leaf is the constructor of an exception the JVM throws
 * there (a {@code NullPointerException}, say), whose {@code fillInStackTrace} locks the new exception: a
 * lock that is tracked nowhere ({@link IgnoreRules#THREAD_PRIVATE}).
 *
 * <p>Everything here is conservative. A section is a leaf only in the shapes javac gives it:
 * <ul>
 *   <li>{@code synchronized (x)}: {@code dup; astore n; monitorenter}, the body, {@code aload n;
 *       monitorexit};</li>
 *   <li>{@code lock.lock(); try { ... } finally { lock.unlock(); }}: the lock loaded the same way before
 *       both calls, from a local that the body does not overwrite or from a final field of the class
 *       itself;</li>
 * </ul>
 * with a catch-all handler covering the body that releases the lock before anything else, and every jump
 * of the body staying inside it. Anything else is an ordinary lock site.
 *
 * <p>A <em>nest</em> is a section of the same shapes whose body takes nothing but leaf sections (at least
 * one): {@code synchronized (a) { synchronized (b) { n++; } }}. It is not pushed either; each leaf inside is
 * told its nest ({@link Outer}), so that the instrumentation hands the nest's lock to the leaf's order check
 * ({@code LockTracker.leafMonitorEnterUnder}, {@code leafLockUnder}).
 */
final class LeafSections {
    /** Sections of one kind in one method whose leafness is recorded, a bit each; later ones are ordinary sites. */
    static final int MAX_SECTIONS = 64;

    private static final int DUP = 0x59;
    private static final int ALOAD = 0x19;
    private static final int ASTORE = 0x3a;
    private static final int GETSTATIC = 0xb2;
    private static final int PUTSTATIC = 0xb3;
    private static final int GETFIELD = 0xb4;
    private static final int PUTFIELD = 0xb5;
    private static final int INVOKEVIRTUAL = 0xb6;
    private static final int INVOKEINTERFACE = 0xb9;
    private static final int ATHROW = 0xbf;
    private static final int WIDE = 0xc4;
    private static final int GOTO_W = 0xc8;
    private static final byte[] LOCK = ClassFileSkim.ascii("lock");
    private static final byte[] UNLOCK = ClassFileSkim.ascii("unlock");
    private static final byte[] NO_ARGUMENTS_VOID = ClassFileSkim.ascii("()V");

    /** How the lock of a section is found again at its release: a local, a static final field, or a final field of {@code this}. */
    private static final int LOCAL = 1;
    private static final int STATIC_FIELD = 2;
    private static final int THIS_FIELD = 3;

    private final byte[] b;
    private final int[] entry;
    private final int thisClass;
    /** The final fields of the class, each as (name index << 16 | descriptor index). */
    private final int[] finalFields;
    /** The method's code being looked at: where it starts in {@link #b}, and its length. */
    private int code;
    private int codeLength;
    /** The method's monitorenters and lock() calls so far, and what of them are leaves and nests (null: none yet). */
    private int monitors;
    private int locks;
    private Found found;
    /** The leaves inside the nests found so far in this method, by the code offset of their start: their nest's lock. */
    private final java.util.Map<Integer, Outer> outers = new java.util.HashMap<>();
    /** While a nest is scanned: the leaves found inside it so far (their kinds, how their locks are loaded). */
    private final int[] innerKinds = new int[MAX_INNER];
    private final int[] innerValues = new int[MAX_INNER];
    private final boolean[] innerMonitors = new boolean[MAX_INNER];
    private int inners;
    private static final int MAX_INNER = 8;
    /** The section being looked at: a monitor's or a lock's, and how its lock is loaded ({@link #LOCAL}...). */
    private boolean monitor;
    private int lockKind;
    private int lockValue;

    /** Per constant pool entry: {@link #LOCK_CALL} or {@link #UNLOCK_CALL} for the methods so named; null when the class calls neither. */
    private final byte[] lockCalls;
    private static final byte LOCK_CALL = 1;
    private static final byte UNLOCK_CALL = 2;

    /**
     * The lock of a nest, as a leaf inside it needs it: a nest is a section whose body takes nothing but leaf
     * sections of the same method. The nest is not pushed either; each leaf inside gets the nest's lock
     * passed along (loaded again where the leaf starts: the same local, or the same final field), so that
     * its order check sees it as held.
     */
    static final class Outer {
        /** The nest's own start: a monitorenter (or else a lock() call), and its number among those of the method. */
        final boolean monitor;
        final int ordinal;
        /** Where its lock is: a local ({@code local} >= 0), or a field ({@code static} or of {@code this}). */
        final int local;
        final boolean staticField;
        final String fieldOwner;
        final String fieldName;
        final String fieldDescriptor;

        Outer(boolean monitor, int ordinal, int local, boolean staticField, String fieldOwner, String fieldName,
              String fieldDescriptor) {
            this.monitor = monitor;
            this.ordinal = ordinal;
            this.local = local;
            this.staticField = staticField;
            this.fieldOwner = fieldOwner;
            this.fieldName = fieldName;
            this.fieldDescriptor = fieldDescriptor;
        }
    }

    /**
     * What the walk of one method found, each section by its number among the method's monitorenters, or
     * among its {@code lock()} calls (from 0, in code order; only the first {@link #MAX_SECTIONS} are known).
     */
    static final class Found {
        /** A method without leaves. */
        static final Found NONE = new Found();

        private long leafMonitors;
        private long leafLocks;
        private long nestMonitors;
        private long nestLocks;
        /** Per leaf inside a nest: the nest's lock. */
        private java.util.Map<Integer, Outer> monitorOuters;
        private java.util.Map<Integer, Outer> lockOuters;

        boolean isLeafBlock(int ordinal) {
            return has(leafMonitors, ordinal);
        }

        boolean isLeafLock(int ordinal) {
            return has(leafLocks, ordinal);
        }

        /** Does the block open a leaf or a nest: order-checked, never pushed? */
        boolean isUnpushedBlock(int ordinal) {
            return has(leafMonitors | nestMonitors, ordinal);
        }

        /** Does the {@code lock()} call open a leaf or a nest? */
        boolean isUnpushedLock(int ordinal) {
            return has(leafLocks | nestLocks, ordinal);
        }

        /** The nest around the leaf block, or null. */
        Outer outerOfBlock(int ordinal) {
            return monitorOuters == null ? null : monitorOuters.get(ordinal);
        }

        /** The nest around the leaf {@code lock()} section, or null. */
        Outer outerOfLock(int ordinal) {
            return lockOuters == null ? null : lockOuters.get(ordinal);
        }

        private boolean hasLeaves() {
            return (leafMonitors | leafLocks) != 0;
        }

        private static boolean has(long bits, int ordinal) {
            return ordinal >= 0 && ordinal < MAX_SECTIONS && (bits >>> ordinal & 1) != 0;
        }

        private void add(boolean monitor, boolean nest, int ordinal, Outer outer) {
            long bit = 1L << ordinal;
            if (nest) {
                if (monitor) nestMonitors |= bit;
                else nestLocks |= bit;
                return;
            }
            if (monitor) leafMonitors |= bit;
            else leafLocks |= bit;
            if (outer == null) return;
            if (monitor) {
                if (monitorOuters == null) monitorOuters = new java.util.HashMap<>();
                monitorOuters.put(ordinal, outer);
            } else {
                if (lockOuters == null) lockOuters = new java.util.HashMap<>();
                lockOuters.put(ordinal, outer);
            }
        }
    }

    /**
     * One rewriter's pass through a method, in code order: numbers its monitorenters and {@code lock()}
     * calls the way the scan did, answers for the section each one opens, and keeps each one's site, so
     * that a leaf inside a nest can pass the nest's. Both rewriters walk with it, so they number alike.
     */
    static final class Walk {
        private static final int[] NO_SITES = new int[0];
        private final Found sections;
        private int monitorEnters;
        private int lockCalls;
        // Grown as sections are met, up to MAX_SECTIONS: most rewritten methods have one or two.
        private int[] monitorSites = NO_SITES;
        private int[] lockSites = NO_SITES;
        /** The section met last: its start and number. */
        private boolean monitor;
        private int ordinal;

        Walk(Found sections) {
            this.sections = sections;
        }

        /** The next monitorenter, at {@code site}; {@link #unpushed} and {@link #outer} then answer for it. */
        void monitorEnter(int site) {
            monitor = true;
            ordinal = monitorEnters++;
            if (ordinal < MAX_SECTIONS) monitorSites = remember(monitorSites, ordinal, site);
        }

        /** The next {@code lock()} call, at {@code site}; {@link #unpushed} and {@link #outer} then answer for it. */
        void lockCall(int site) {
            monitor = false;
            ordinal = lockCalls++;
            if (ordinal < MAX_SECTIONS) lockSites = remember(lockSites, ordinal, site);
        }

        private static int[] remember(int[] sites, int ordinal, int site) {
            if (ordinal >= sites.length) sites = Arrays.copyOf(sites, Math.min(MAX_SECTIONS, Math.max(4, 2 * ordinal)));
            sites[ordinal] = site;
            return sites;
        }

        /** Does the section met last open a leaf or a nest: order-checked, never pushed? */
        boolean unpushed() {
            return monitor ? sections.isUnpushedBlock(ordinal) : sections.isUnpushedLock(ordinal);
        }

        /** The nest around the leaf met last, or null. */
        Outer outer() {
            return monitor ? sections.outerOfBlock(ordinal) : sections.outerOfLock(ordinal);
        }

        /** The site of a nest met earlier in this walk. */
        int siteOf(Outer nest) {
            return nest.monitor ? monitorSites[nest.ordinal] : lockSites[nest.ordinal];
        }
    }

    LeafSections(byte[] classFile, int[] constantPoolEntries, int thisClassIndex, int[] finalFields) {
        this.b = classFile;
        this.entry = constantPoolEntries;
        this.thisClass = thisClassIndex;
        this.finalFields = finalFields;
        this.lockCalls = lockCalls();
    }

    /**
     * Which method references of the constant pool are {@code lock()} and {@code unlock()} of one of the lock
     * types whose calls {@link SiteRewrites} rewrites: read once per class, so that telling a call apart costs
     * one array read (this runs in {@code premain}, interpreted, for every call in a method with a lock site).
     */
    private byte[] lockCalls() {
        byte[] calls = null;
        for (int i = 1; i < entry.length; i++) {
            int at = entry[i];
            if (at == 0) continue; // the second slot of a Long or Double
            int tag = b[at] & 0xff;
            if (tag != 10 && tag != 11) continue; // Methodref, InterfaceMethodref
            int owner = entry[u2(b, entry[u2(b, at + 1)] + 1)];
            if (!ClassFileSkim.isLockOwner(b, owner + 3, u2(b, owner + 1))) continue;
            int nameAndType = entry[u2(b, at + 3)];
            if (!ClassFileSkim.utf8Equals(b, entry[u2(b, nameAndType + 3)], NO_ARGUMENTS_VOID)) continue;
            int name = entry[u2(b, nameAndType + 1)];
            byte kind = ClassFileSkim.utf8Equals(b, name, LOCK) ? LOCK_CALL : ClassFileSkim.utf8Equals(b, name, UNLOCK) ? UNLOCK_CALL : 0;
            if (kind == 0) continue;
            if (calls == null) calls = new byte[entry.length];
            calls[i] = kind;
        }
        return calls;
    }

    /** The final fields of a class, for {@link #LeafSections}: name and descriptor indexes of those at {@code fields}. */
    static int[] finalFields(byte[] b, int fields, int count) {
        int[] found = new int[count];
        int n = 0;
        int p = fields;
        for (int f = 0; f < count; f++) {
            if ((u2(b, p) & 0x0010) != 0) found[n++] = u2(b, p + 2) << 16 | u2(b, p + 4);
            p = ClassFileSkim.skipMember(b, p);
        }
        return java.util.Arrays.copyOf(found, n);
    }

    /**
     * Is this synchronized method's code a leaf? Branches, switches, returns and throws are all fine here:
     * whatever path it takes, the method's monitor is released when it returns or throws.
     */
    boolean isLeafMethod(int code, int codeLength) {
        this.code = code;
        this.codeLength = codeLength;
        for (int pc = 0; pc < codeLength; pc = next(pc)) { // after the scanner's walk: the code is well formed
            int op = op(pc);
            boolean controlFlow = isBranch(op) || op == 0xaa || op == 0xab || (op >= 0xac && op <= 0xb1) || op == ATHROW;
            if (!controlFlow && !isPlain(pc, op)) return false;
        }
        return true;
    }

    /**
     * Starts on a method's code, which the scanner then walks once, telling this object of each
     * {@code monitorenter} and {@code lock()} call on the way (with the two instructions before it).
     */
    void startMethod(int code, int codeLength) {
        this.code = code;
        this.codeLength = codeLength;
        monitors = 0;
        locks = 0;
        found = null;
        outers.clear();
    }

    /** The method's next {@code monitorenter}, at {@code pc}. */
    void monitorEnter(int pc, int before, int beforeThat) {
        if (monitors < MAX_SECTIONS && beforeThat >= 0 && op(beforeThat) == DUP) {
            record(true, section(pc, true, LOCAL, stored(before), monitors), pc, monitors);
        }
        monitors++;
    }

    /** Is the instruction at {@code pc} a {@code lock()} call site? */
    boolean isLockCall(int pc, int op) {
        return isCall(pc, op, LOCK_CALL);
    }

    /** The method's next {@code lock()} call, at {@code pc}. */
    void lockCall(int pc, int before, int beforeThat) {
        if (locks < MAX_SECTIONS && before >= 0) {
            int kind = lockKind(before, beforeThat);
            if (kind != 0) record(false, section(pc, false, kind, lockValue(before, kind), locks), pc, locks);
        }
        locks++;
    }

    /** Notes a leaf (with its nest's lock, if it is inside one) or a nest; nothing for neither. */
    private void record(boolean monitor, int section, int pc, int ordinal) {
        if (section == NONE) return;
        if (found == null) found = new Found();
        found.add(monitor, section == NEST, ordinal, section == LEAF ? outers.get(pc) : null);
    }

    /** What the walk of the method found; null when there is no leaf (and so no nest worth keeping). */
    Found found() {
        return found != null && found.hasLeaves() ? found : null;
    }

    /** What {@link #section} found. */
    private static final int NONE = 0;
    private static final int LEAF = 1;
    private static final int NEST = 2;

    /**
     * The section at {@code enter}: a leaf, a nest (only leaves inside, at least one: each of them is then told
     * which lock encloses it, in {@link #outers}), or neither. One scan of its body answers both. Run ahead of
     * the scanner's own walk over the code: code it cannot make sense of (the walk then rejects the class, or
     * the JVM's verifier would) is simply neither.
     */
    private int section(int enter, boolean monitor, int kind, int value, int ordinal) {
        try {
            inners = 0;
            innerStarts.clear();
            if (!isSection(enter, monitor, kind, value, true)) return NONE;
            if (inners == 0) return LEAF;
            // Its leaves must be among the sections whose leafness is recorded, or they would be ordinary
            // sites that never hear of the nest's lock. Only leaves are inside, so they are numbered next.
            int innerMonitors = 0;
            for (int i = 0; i < inners; i++) {
                if (this.innerMonitors[i]) innerMonitors++;
            }
            if (monitors + (monitor ? 1 : 0) + innerMonitors > MAX_SECTIONS
                    || locks + (monitor ? 0 : 1) + (inners - innerMonitors) > MAX_SECTIONS) {
                return NONE;
            }
            Outer outer = outer(monitor, ordinal, kind, value);
            for (int start : innerStarts) outers.put(start, outer);
            return NEST;
        } catch (RuntimeException e) {
            return NONE;
        }
    }

    /** Where the leaves inside the nest being scanned start. */
    private final java.util.List<Integer> innerStarts = new java.util.ArrayList<>();

    private Outer outer(boolean monitor, int ordinal, int kind, int value) {
        if (kind == LOCAL) return new Outer(monitor, ordinal, value, false, null, null, null);
        int ref = entry[value];
        int nameAndType = entry[u2(b, ref + 3)];
        return new Outer(monitor, ordinal, -1, kind == STATIC_FIELD, LockSiteScanner.utf8(b, entry[u2(b, entry[u2(b, ref + 1)] + 1)]),
                LockSiteScanner.utf8(b, entry[u2(b, nameAndType + 1)]), LockSiteScanner.utf8(b, entry[u2(b, nameAndType + 3)]));
    }

    /**
     * The section that the instruction at {@code enter} opens (a monitorenter, or a {@code lock()} call), its
     * lock loaded as {@code kind} and {@code value} say: is every path from it to the lock's release free of
     * anything that could take a lock?
     */
    private boolean isSection(int enter, boolean monitor, int kind, int value, boolean nest) {
        if (value < 0) return false;
        this.monitor = monitor;
        this.lockKind = kind;
        this.lockValue = value;
        int body = next(enter);
        int release = -1;
        int minTarget = Integer.MAX_VALUE;
        int maxTarget = -1;
        int before = -1;
        int beforeThat = -1;
        for (int pc = body; pc < codeLength; pc = next(pc)) {
            int op = op(pc);
            if (releases(pc, op) && loadsLock(before, beforeThat)) {
                release = pc;
                break;
            }
            if (nest && innerSection(pc, op, before, beforeThat)) {
                // a leaf inside, its start or its release: fine in a nest
            } else if (releases(pc, op)) {
                return false; // releases something else
            } else if (isBranch(op)) {
                int target = pc + (op == GOTO_W ? u4(b, code + pc + 1) : (short) u2(b, code + pc + 1));
                minTarget = Math.min(minTarget, target);
                maxTarget = Math.max(maxTarget, target);
            } else if (op != ATHROW && !isPlain(pc, op)) {
                return false;
            }
            if (overwritesLock(pc, op)) return false;
            beforeThat = before;
            before = pc;
        }
        if (release < 0) return false;
        this.monitor = monitor; // the leaves inside a nest were scanned with these fields in use
        this.lockKind = kind;
        this.lockValue = value;
        int releaseStart = kind == THIS_FIELD ? beforeThat : before; // where loading the lock for the release starts
        // Every jump stays inside, and none skips the load of the lock that the release uses.
        if (minTarget <= enter || maxTarget > releaseStart) return false;
        return handlersRelease(body, releaseStart, release);
    }

    /**
     * The exception handlers of the section's body, in the order the JVM tries them: each one outside the
     * body must release the lock before anything else, and a catch-all covering the whole body must come
     * before any handler of an enclosing try (which the JVM then never reaches from the body).
     */
    private boolean handlersRelease(int body, int releaseStart, int release) {
        int table = code + codeLength;
        int handlers = u2(b, table);
        for (int i = 0; i < handlers; i++) {
            int at = table + 2 + 8 * i;
            int start = u2(b, at);
            int end = u2(b, at + 2);
            int handler = u2(b, at + 4);
            if (start >= release || end <= body) continue; // does not cover the body
            boolean insideBody = handler >= body && handler <= release; // scanned with the body already
            if (!insideBody && !releasesFirst(handler)) return false;
            if (u2(b, at + 6) == 0 && start <= body && end >= releaseStart) return true;
        }
        return false; // an exception could leave the method with the lock held
    }

    /** Does the code at {@code pc} release the lock before any jump, call or other lock? */
    private boolean releasesFirst(int pc) {
        int before = -1;
        int beforeThat = -1;
        for (; pc < codeLength; pc = next(pc)) {
            int op = op(pc);
            if (releases(pc, op)) return loadsLock(before, beforeThat);
            if (!isPlain(pc, op) || overwritesLock(pc, op)) return false;
            beforeThat = before;
            before = pc;
        }
        return false;
    }

    /**
     * In a nest's body: is the instruction at {@code pc} the start of a leaf section (recorded), or the
     * release of one that started inside this nest?
     */
    private boolean innerSection(int pc, int op, int before, int beforeThat) {
        boolean monitorStart = op == ClassFileSkim.MONITORENTER;
        boolean lockStart = isCall(pc, op, LOCK_CALL);
        if (monitorStart || lockStart) {
            int kind = monitorStart ? LOCAL : lockKind(before, beforeThat);
            int value = monitorStart ? (beforeThat >= 0 && op(beforeThat) == DUP ? stored(before) : -1) : lockValue(before, kind);
            if (kind == 0 || value < 0 || inners == MAX_INNER) return false;
            boolean outerMonitor = monitor;
            int outerKind = lockKind;
            int outerValue = lockValue;
            boolean isLeaf = isSection(pc, monitorStart, kind, value, false);
            monitor = outerMonitor;
            lockKind = outerKind;
            lockValue = outerValue;
            if (!isLeaf || (kind == outerKind && value == outerValue && monitorStart == outerMonitor)) return false;
            innerMonitors[inners] = monitorStart;
            innerKinds[inners] = kind;
            innerValues[inners] = value;
            inners++;
            innerStarts.add(pc);
            return true;
        }
        boolean monitorRelease = op == ClassFileSkim.MONITOREXIT;
        if (!monitorRelease && !isCall(pc, op, UNLOCK_CALL)) return false;
        for (int i = 0; i < inners; i++) {
            if (innerMonitors[i] == monitorRelease && before >= 0 && lockKind(before, beforeThat) == innerKinds[i]
                    && lockValue(before, innerKinds[i]) == innerValues[i]) {
                return true;
            }
        }
        return false;
    }

    /** A monitor's section ends at a monitorexit, a lock's at an {@code unlock()} call. */
    private boolean releases(int pc, int op) {
        return monitor ? op == ClassFileSkim.MONITOREXIT : isCall(pc, op, UNLOCK_CALL);
    }

    /** Do the instructions just before load the section's lock the way its start did? */
    private boolean loadsLock(int before, int beforeThat) {
        return before >= 0 && lockKind(before, beforeThat) == lockKind && lockValue(before, lockKind) == lockValue;
    }

    /** How the instruction at {@code before} (with {@code beforeThat}) loads a lock: {@link #LOCAL}..., or 0. */
    private int lockKind(int before, int beforeThat) {
        int op = op(before);
        if (loaded(before) >= 0) return LOCAL;
        if (op == GETSTATIC && isOwnField(u2(b, code + before + 1), true)) return STATIC_FIELD;
        if (op == GETFIELD && isOwnField(u2(b, code + before + 1), true) && beforeThat >= 0 && loaded(beforeThat) == 0) {
            return THIS_FIELD;
        }
        return 0;
    }

    private int lockValue(int before, int kind) {
        return kind == LOCAL ? loaded(before) : u2(b, code + before + 1);
    }

    /** Does the instruction change what the section's lock is loaded from? */
    private boolean overwritesLock(int pc, int op) {
        switch (lockKind) {
            case LOCAL: return stored(pc) == lockValue;
            case STATIC_FIELD: return op == PUTSTATIC && u2(b, code + pc + 1) == lockValue;
            default: return stored(pc) == 0 || (op == PUTFIELD && u2(b, code + pc + 1) == lockValue);
        }
    }

    /** Is the instruction a call of {@code lock()} or {@code unlock()} ({@code kind}) that {@link SiteRewrites} rewrites? */
    private boolean isCall(int pc, int op, byte kind) {
        return lockCalls != null && (op == INVOKEVIRTUAL || op == INVOKEINTERFACE) && lockCalls[u2(b, code + pc + 1)] == kind;
    }

    /**
     * An instruction that neither transfers control nor can take a lock: constants (numbers and strings),
     * locals, the operand stack, arithmetic, arrays of primitives, and fields of the class itself (already
     * loaded and initialized, as its code runs). Calls, monitors, {@code new} and the instructions that may
     * load a class are not.
     */
    private boolean isPlain(int pc, int op) {
        int at = code + pc;
        if (op <= 0x11) return true; // nop, constants, bipush, sipush
        if (op == 0x12) return isValueConstant(b[at + 1] & 0xff); // ldc
        if (op == 0x13 || op == 0x14) return isValueConstant(u2(b, at + 1)); // ldc_w, ldc2_w
        if (op <= 0x98) return true; // loads, stores, array elements, stack, arithmetic, conversions, comparisons
        if (op >= GETSTATIC && op <= PUTFIELD) return isOwnField(u2(b, at + 1), false);
        if (op == 0xbc || op == 0xbe) return true; // newarray (of a primitive type), arraylength
        if (op == WIDE) return (b[at + 1] & 0xff) != 0xa9; // a wide load, store or iinc; not ret
        return false;
    }

    /** Integer, float, long, double or string: no class to load, no bootstrap method to run. */
    private boolean isValueConstant(int index) {
        if (index <= 0 || index >= entry.length || entry[index] == 0) return false;
        int tag = b[entry[index]] & 0xff;
        return tag == 3 || tag == 4 || tag == 5 || tag == 6 || tag == 8;
    }

    /** A field reference whose class is the class being scanned (and, if asked, a final field of it). */
    private boolean isOwnField(int index, boolean mustBeFinal) {
        if (index <= 0 || index >= entry.length || entry[index] == 0 || (b[entry[index]] & 0xff) != 9) return false;
        int classIndex = u2(b, entry[index] + 1);
        if (classIndex != thisClass && !sameUtf8(classNameOf(classIndex), classNameOf(thisClass))) return false;
        if (!mustBeFinal) return true;
        int nameAndType = entry[u2(b, entry[index] + 3)];
        int key = u2(b, nameAndType + 1) << 16 | u2(b, nameAndType + 3);
        for (int field : finalFields) {
            if (field == key) return true;
        }
        return false; // not final, or named by other constants than its declaration's (then: an ordinary site)
    }

    private int classNameOf(int classIndex) {
        if (classIndex <= 0 || classIndex >= entry.length || (b[entry[classIndex]] & 0xff) != 7) return -1;
        return entry[u2(b, entry[classIndex] + 1)];
    }

    private boolean sameUtf8(int one, int other) {
        if (one < 0 || other < 0) return false;
        int length = u2(b, one + 1);
        if (length != u2(b, other + 1)) return false;
        for (int i = 0; i < length; i++) {
            if (b[one + 3 + i] != b[other + 3 + i]) return false;
        }
        return true;
    }

    /** The conditional branches, goto, ifnull, ifnonnull and goto_w; not jsr, whose return is unknown here. */
    private static boolean isBranch(int op) {
        return (op >= 0x99 && op <= 0xa7) || op == 0xc6 || op == 0xc7 || op == GOTO_W;
    }

    /** The local an {@code astore} at {@code pc} writes to, or -1. */
    private int stored(int pc) {
        return localOf(pc, ASTORE, 0x4b); // astore n, astore_0..3
    }

    /** The local an {@code aload} at {@code pc} reads, or -1. */
    private int loaded(int pc) {
        return localOf(pc, ALOAD, 0x2a); // aload n, aload_0..3
    }

    /** The local of the instruction at {@code pc} if it is {@code opcode} (also wide, or its _0.._3 forms from {@code firstShort}). */
    private int localOf(int pc, int opcode, int firstShort) {
        int at = code + pc;
        int op = b[at] & 0xff;
        if (op == opcode) return b[at + 1] & 0xff;
        if (op >= firstShort && op <= firstShort + 3) return op - firstShort;
        if (op == WIDE && (b[at + 1] & 0xff) == opcode) return u2(b, at + 2);
        return -1;
    }

    private int op(int pc) {
        return b[code + pc] & 0xff;
    }

    private int next(int pc) {
        int op = op(pc);
        int length = ClassFileSkim.LENGTH[op];
        if (length < 0) throw new IllegalArgumentException("opcode " + op);
        int next = length > 0 ? pc + length : ClassFileSkim.afterVariableLength(b, code, pc, op, codeLength);
        if (next <= pc) throw new IllegalArgumentException("operands of opcode " + op);
        return next;
    }
}
