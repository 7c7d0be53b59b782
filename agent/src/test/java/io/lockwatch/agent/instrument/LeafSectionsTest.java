package io.lockwatch.agent.instrument;

import static io.lockwatch.agent.instrument.InstrumentedCode.define;
import static io.lockwatch.agent.instrument.InstrumentedCode.instrument;
import static io.lockwatch.agent.instrument.InstrumentedCode.instrumentedCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/**
 * Which critical sections the instrumentation treats as leaves ({@link LeafSections}: nothing can be locked
 * inside them, so the tracker skips their push): every shape javac gives a small one, and every way a
 * body could take a lock after all (or release another lock), which must keep the ordinary site.
 */
class LeafSectionsTest {
    private static final String LEAF = "leafEntry";
    private static final String ORDINARY = "monitorEnter";
    private static final String LEAF_LOCK = "leafLock";
    /** A leaf inside a nest: the nest's lock goes along. */
    private static final String UNDER = "leafMonitorEnterUnder";
    private static final String LOCK_UNDER = "leafLockUnder";
    private static final String ORDINARY_LOCK = "lock";
    private static final String FIXTURE = "com/example/Sections";

    /** Compiled by javac, renamed to {@link #FIXTURE} before it is instrumented. */
    @SuppressWarnings({"unused", "SynchronizeOnNonFinalField"})
    static final class Sections {
        static final Object MONITOR = new Object();
        static final Object OTHER = new Object();
        static long count;
        static int[] array;
        static Object object;
        static String text;
        static Class<?> type;
        int value;

        static void counter() {
            synchronized (MONITOR) {
                count++;
            }
        }

        synchronized int getter() {
            return value;
        }

        static synchronized void staticMethod() {
            count += 2;
        }

        static long loop(int n) {
            synchronized (MONITOR) {
                for (int i = 0; i < n; i++) count += i;
                return count;
            }
        }

        static void primitiveArray(int n) {
            synchronized (MONITOR) {
                array = new int[n];
            }
        }

        static void stringConstant() {
            synchronized (MONITOR) {
                text = "text";
            }
        }

        static void insideTry() {
            try {
                synchronized (MONITOR) {
                    count++;
                }
            } catch (RuntimeException e) {
                helper();
            }
        }

        static void nested() {
            synchronized (OTHER) {
                synchronized (MONITOR) {
                    count++;
                }
            }
        }

        static void withCall() {
            synchronized (MONITOR) {
                helper();
            }
        }

        synchronized void methodWithCall() {
            helper();
        }

        static void withNew() {
            synchronized (MONITOR) {
                object = new Object();
            }
        }

        static void otherClassField() {
            synchronized (MONITOR) {
                Other.x++;
            }
        }

        static void classConstant() {
            synchronized (MONITOR) {
                type = String.class;
            }
        }

        static void cast(Object o) {
            synchronized (MONITOR) {
                text = (String) o;
            }
        }

        static void withSwitch(int k) {
            synchronized (MONITOR) {
                switch (k) {
                    case 1: count++; break;
                    case 2: count--; break;
                    case 5: count = 0; break;
                    default: break;
                }
            }
        }

        static void waits() throws InterruptedException {
            synchronized (MONITOR) {
                MONITOR.wait(1);
            }
        }

        static void helper() {
            count--;
        }

        static final ReentrantLock LOCK = new ReentrantLock();
        static final ReentrantLock OTHER_LOCK = new ReentrantLock();
        static ReentrantLock mutableLock = new ReentrantLock();
        private final ReentrantLock ownLock = new ReentrantLock();

        static void lockStaticField() {
            LOCK.lock();
            try {
                count++;
            } finally {
                LOCK.unlock();
            }
        }

        void lockOwnField() {
            ownLock.lock();
            try {
                value++;
            } finally {
                ownLock.unlock();
            }
        }

        static void lockLocal(Lock lock) {
            lock.lock();
            try {
                count++;
            } finally {
                lock.unlock();
            }
        }

        static void lockMutableField() {
            mutableLock.lock();
            try {
                count++;
            } finally {
                mutableLock.unlock();
            }
        }

        static void lockWithCall() {
            LOCK.lock();
            try {
                helper();
            } finally {
                LOCK.unlock();
            }
        }

        static void lockWithoutFinally() {
            LOCK.lock();
            count++;
            LOCK.unlock();
        }

        static void lockNestsMonitor() {
            LOCK.lock();
            try {
                synchronized (MONITOR) {
                    count++;
                }
            } finally {
                LOCK.unlock();
            }
        }

        static void monitorNestsLock() {
            synchronized (MONITOR) {
                LOCK.lock();
                try {
                    count++;
                } finally {
                    LOCK.unlock();
                }
            }
        }

        static void twoLeavesInANest() {
            synchronized (OTHER) {
                synchronized (MONITOR) {
                    count++;
                }
                LOCK.lock();
                try {
                    count--;
                } finally {
                    LOCK.unlock();
                }
            }
        }

        static void nestWithACall() {
            synchronized (OTHER) {
                synchronized (MONITOR) {
                    count++;
                }
                helper();
            }
        }

        static void leafReenteringItsNest() {
            synchronized (MONITOR) {
                synchronized (MONITOR) {
                    count++;
                }
            }
        }

        /** 63 leaf blocks, then a nest whose leaf would be the 65th monitorenter: past what the scan records. */
        static void manyBlocksThenANest() {
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (MONITOR) { count++; }
            synchronized (OTHER) {
                synchronized (MONITOR) {
                    count++;
                }
            }
        }

        static void unlockAnother() {
            LOCK.lock();
            try {
                count++;
            } finally {
                OTHER_LOCK.unlock();
            }
        }
    }

    static final class Other {
        static int x;
    }

    @Test
    void smallJavacSectionsAreLeaves() {
        byte[] sections = InstrumentedCode.javacClass(Sections.class, FIXTURE);
        for (String method : List.of("counter", "getter", "staticMethod", "loop", "primitiveArray", "stringConstant", "insideTry")) {
            assertEquals(List.of(LEAF), enters(sections, method), method);
        }
        // A nest: its body takes nothing but a leaf, so it is not pushed either, and its leaf gets its lock.
        assertEquals(List.of(LEAF, UNDER), enters(sections, "nested"));
    }

    @Test
    void sectionsThatCouldTakeALockAreOrdinarySites() {
        byte[] sections = InstrumentedCode.javacClass(Sections.class, FIXTURE);
        // A call, a class to initialize or load, a switch (not followed, conservatively), a wait.
        for (String method : List.of("withCall", "methodWithCall", "withNew", "otherClassField", "classConstant",
                "cast", "withSwitch", "waits")) {
            assertEquals(List.of(ORDINARY), enters(sections, method), method);
        }
    }

    @Test
    void smallLockSectionsAreLeaves() {
        byte[] sections = InstrumentedCode.javacClass(Sections.class, FIXTURE);
        for (String method : List.of("lockStaticField", "lockOwnField", "lockLocal")) {
            assertEquals(List.of(LEAF_LOCK), locks(sections, method), method);
        }
        // Not the same lock for sure at the unlock (a field that may change, another lock), a call inside, or
        // no handler that unlocks when the body throws.
        for (String method : List.of("lockMutableField", "unlockAnother", "lockWithCall", "lockWithoutFinally")) {
            assertEquals(List.of(ORDINARY_LOCK), locks(sections, method), method);
        }
    }

    @Test
    void sectionsWithOnlyLeavesInsideAreNests() {
        byte[] sections = InstrumentedCode.javacClass(Sections.class, FIXTURE);
        assertEquals(List.of(LEAF_LOCK, UNDER), sections(sections, "lockNestsMonitor"));
        assertEquals(List.of(LEAF, LOCK_UNDER), sections(sections, "monitorNestsLock"));
        assertEquals(List.of(LEAF, UNDER, LOCK_UNDER), sections(sections, "twoLeavesInANest"));
        assertEquals(List.of(LEAF, UNDER), sections(sections, "leafReenteringItsNest"));
        // A call besides the leaf: the outer block is an ordinary site, its leaf a plain one.
        assertEquals(List.of(ORDINARY, LEAF), sections(sections, "nestWithACall"));
    }

    /**
     * A method's first {@link LeafSections#MAX_SECTIONS} monitorenters are all the scan records: a nest whose
     * leaf lies past them would leave that leaf an ordinary site that never hears of the nest's lock, so it
     * must be an ordinary site itself.
     */
    @Test
    void aNestWhoseLeafIsPastTheRecordedSectionsIsAnOrdinarySite() {
        List<String> calls = enters(InstrumentedCode.javacClass(Sections.class, FIXTURE), "manyBlocksThenANest");
        assertEquals(65, calls.size(), calls.toString());
        assertEquals(java.util.Collections.nCopies(63, LEAF), calls.subList(0, 63));
        assertEquals(List.of(ORDINARY, ORDINARY), calls.subList(63, 65));
    }

    /** Instrumented, the leaves still pass the verifier and run (the tracker itself is not started here). */
    @Test
    void instrumentedLeavesRun() throws Exception {
        Class<?> sections = define(FIXTURE.replace('/', '.'), instrument(InstrumentedCode.javacClass(Sections.class, FIXTURE)));
        for (String name : List.of("counter", "staticMethod", "nested", "insideTry", "lockStaticField", "lockNestsMonitor",
                "monitorNestsLock", "twoLeavesInANest", "leafReenteringItsNest")) {
            Method method = sections.getDeclaredMethod(name);
            method.setAccessible(true);
            method.invoke(null);
        }
        Method loop = sections.getDeclaredMethod("loop", int.class);
        loop.setAccessible(true);
        assertEquals(1L + 2 + 1 + 1 + 1 + 1 + 1 + 0 + 1 + (0 + 1 + 2), loop.invoke(null, 3));
    }

    /** Other compilers' shapes: without a catch-all that releases the monitor, an exception could leave with it held. */
    @Test
    void aBlockWithoutItsCatchAllIsAnOrdinarySite() {
        assertEquals(List.of(ORDINARY), enters(generated(false, false), "run"));
        assertEquals(List.of(LEAF), enters(generated(true, false), "run"), "the same block with javac's handler");
        assertEquals(List.of(ORDINARY), enters(generated(true, true), "run"), "its monitor's local overwritten inside");
    }

    /**
     * A class file without stack map frames (Java 5's) is left to ASM by the raw rewriter, and gets no state
     * local (LockSiteVisitor keeps such classes as simple as they were): its leaf block takes the plain entry,
     * not the leaf's, which needs the state. It passes the old verifier and runs.
     */
    @Test
    void aClassFileWithoutFramesKeepsThePlainEntryAndRuns() throws Exception {
        byte[] java5 = generated(true, false, Opcodes.V1_5);
        assertEquals(null, ClassFileRewriter.rewrite(java5, LockSiteScanner.scan(java5)), "left to ASM");
        List<String> code = instrumentedCode(instrument(java5), "run");
        assertTrue(code.contains("INVOKESTATIC " + SiteRewrites.TRACKER + ".monitorEnter(Ljava/lang/Object;I)V"), code.toString());
        assertTrue(code.stream().noneMatch(insn -> insn.contains(SiteRewrites.LEAF_ENTRY_CLASS)), code.toString());
        Method run = define("Generated", instrument(java5)).getDeclaredMethod("run", Object.class);
        run.invoke(null, new Object());
    }

    /** The runtime methods the instrumented method calls to record a monitor's acquisition. */
    private static List<String> enters(byte[] classFile, String method) {
        return trackerCalls(classFile, method, LEAF, ORDINARY, UNDER);
    }

    /** The runtime methods the instrumented method calls for {@code lock()}. */
    private static List<String> locks(byte[] classFile, String method) {
        return trackerCalls(classFile, method, LEAF_LOCK, ORDINARY_LOCK, LOCK_UNDER);
    }

    /** Both kinds, in code order. */
    private static List<String> sections(byte[] classFile, String method) {
        return trackerCalls(classFile, method, LEAF, ORDINARY, UNDER, LEAF_LOCK, ORDINARY_LOCK, LOCK_UNDER);
    }

    private static List<String> trackerCalls(byte[] classFile, String method, String... names) {
        List<String> wanted = List.of(names);
        return instrumentedCode(classFile, method).stream()
                .filter(insn -> insn.startsWith("INVOKESTATIC " + SiteRewrites.TRACKER + "."))
                .map(insn -> insn.substring(insn.indexOf('.') + 1, insn.indexOf('(')))
                .filter(wanted::contains)
                .collect(java.util.stream.Collectors.toList());
    }

    /**
     * {@code static void run(Object m)}: {@code aload 0; dup; astore 1; monitorenter; iinc 2 1; aload 1;
     * monitorexit}, with or without javac's catch-all handler, and optionally storing into local 1 inside.
     */
    private static byte[] generated(boolean catchAll, boolean overwriteMonitorLocal) {
        return generated(catchAll, overwriteMonitorLocal, Opcodes.V11);
    }

    /** The same in a class file of {@code version} (before Java 6's, ASM writes no stack map frames). */
    private static byte[] generated(boolean catchAll, boolean overwriteMonitorLocal, int version) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(version, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "Generated", null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "run", "(Ljava/lang/Object;)V", null, null);
        Label start = new Label();
        Label end = new Label();
        Label handler = new Label();
        Label after = new Label();
        mv.visitCode();
        if (catchAll) mv.visitTryCatchBlock(start, end, handler, null);
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitVarInsn(Opcodes.ISTORE, 2);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitInsn(Opcodes.DUP);
        mv.visitVarInsn(Opcodes.ASTORE, 1);
        mv.visitInsn(Opcodes.MONITORENTER);
        mv.visitLabel(start);
        mv.visitIincInsn(2, 1);
        if (overwriteMonitorLocal) {
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitVarInsn(Opcodes.ASTORE, 1);
        }
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitInsn(Opcodes.MONITOREXIT);
        mv.visitLabel(end);
        mv.visitJumpInsn(Opcodes.GOTO, after);
        mv.visitLabel(handler);
        mv.visitVarInsn(Opcodes.ASTORE, 3);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitInsn(Opcodes.MONITOREXIT);
        mv.visitVarInsn(Opcodes.ALOAD, 3);
        mv.visitInsn(Opcodes.ATHROW);
        mv.visitLabel(after);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }
}
