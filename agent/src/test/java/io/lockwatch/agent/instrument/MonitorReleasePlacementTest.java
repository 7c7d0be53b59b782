package io.lockwatch.agent.instrument;

import static io.lockwatch.agent.instrument.InstrumentedCode.define;
import static io.lockwatch.agent.instrument.InstrumentedCode.instrument;
import static io.lockwatch.agent.instrument.InstrumentedCode.instrumentedCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.List;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/**
 * Where the instrumentation records a monitor's release: after the {@code monitorexit}, but never between
 * it and the end of a try-catch range (the JIT compilers refuse such a method; see
 * {@code TransparencyTest.instrumentedMethodsStayCompilable}), and never after a call, jump or return
 * that follows it (the tracker would count the monitor as held while other locks are taken).
 */
class MonitorReleasePlacementTest {
    private static final String TRACKER_EXIT = "INVOKESTATIC io/lockwatch/runtime/track/LockTracker.monitorExit";
    private static final String JAVAC = "com/example/Javac";

    /**
     * javac's layout: the range of the block's catch-all handler ends right after the monitorexit. Renamed
     * to {@link #JAVAC} before it is instrumented: lockwatch leaves its own classes alone.
     */
    static final class Javac {
        static int counter;

        static void blockThenCall(Object monitor) {
            synchronized (monitor) {
                counter++;
            }
            afterwards();
        }

        static void afterwards() {
            counter++;
        }
    }

    @Test
    void withJavacTheReleaseIsRecordedJustAfterTheRangeAndBeforeTheNextCall() throws Exception {
        List<String> code = instrumentedCode(javacClass(), "blockThenCall");
        int exit = code.indexOf("MONITOREXIT");
        int rangeEnd = code.subList(exit, code.size()).indexOf("LABEL") + exit;
        int recorded = code.indexOf(TRACKER_EXIT + "(Ljava/lang/Object;Ljava/lang/Object;)V");
        int nextCall = code.indexOf("INVOKESTATIC " + JAVAC + ".afterwards()V");
        assertTrue(exit >= 0 && rangeEnd > exit && recorded > rangeEnd && recorded < nextCall, String.join("\n", code));
        assertEquals(2, count(code, TRACKER_EXIT), "the normal path and javac's exception path: " + code);
    }

    /**
     * Another compiler's layout: a call inside the range, after the monitorexit. The release must be
     * recorded before that call, even though the range has not ended.
     */
    @Test
    void aCallInsideTheRangeAfterTheMonitorexitComesAfterTheRelease() throws Exception {
        List<String> code = instrumentedCode(callInsideRange(), "run");
        int exit = code.indexOf("MONITOREXIT");
        int recorded = code.indexOf(TRACKER_EXIT + "(Ljava/lang/Object;Ljava/lang/Object;)V");
        int call = code.indexOf("INVOKESTATIC Generated.afterwards()V");
        assertTrue(exit >= 0 && recorded > exit && recorded < call, String.join("\n", code));
    }

    /** Both layouts, instrumented, still pass the verifier and run (the tracker itself is not started here). */
    @Test
    void instrumentedClassesLoadAndRun() throws Exception {
        Class<?> generated = define("Generated", instrument(callInsideRange()));
        Method run = generated.getMethod("run", Object.class);
        run.invoke(null, new Object());
        assertEquals(1, generated.getField("calls").getInt(null));

        Class<?> javac = define(JAVAC.replace('/', '.'), instrument(javacClass()));
        Method blockThenCall = javac.getDeclaredMethod("blockThenCall", Object.class);
        blockThenCall.setAccessible(true);
        blockThenCall.invoke(null, new Object());
        java.lang.reflect.Field counter = javac.getDeclaredField("counter");
        counter.setAccessible(true);
        assertEquals(2, counter.getInt(null));
    }

    /**
     * {@code public static void run(Object m)}: monitorenter; monitorexit; afterwards() inside the range of a
     * catch-all handler that releases the monitor and rethrows.
     */
    private static byte[] callInsideRange() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V11, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "Generated", null, "java/lang/Object", null);
        cw.visitField(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "calls", "I", null, null).visitEnd();

        MethodVisitor after = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "afterwards", "()V", null, null);
        after.visitCode();
        after.visitFieldInsn(Opcodes.GETSTATIC, "Generated", "calls", "I");
        after.visitInsn(Opcodes.ICONST_1);
        after.visitInsn(Opcodes.IADD);
        after.visitFieldInsn(Opcodes.PUTSTATIC, "Generated", "calls", "I");
        after.visitInsn(Opcodes.RETURN);
        after.visitMaxs(0, 0);
        after.visitEnd();

        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "run", "(Ljava/lang/Object;)V", null, null);
        Label start = new Label();
        Label end = new Label();
        Label handler = new Label();
        mv.visitCode();
        mv.visitTryCatchBlock(start, end, handler, null);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitInsn(Opcodes.MONITORENTER);
        mv.visitLabel(start);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitInsn(Opcodes.MONITOREXIT);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "Generated", "afterwards", "()V", false);
        mv.visitLabel(end);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitLabel(handler);
        mv.visitVarInsn(Opcodes.ASTORE, 1);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitInsn(Opcodes.ATHROW);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** {@link Javac} as javac compiled it, renamed to {@link #JAVAC}. */
    private static byte[] javacClass() {
        return InstrumentedCode.javacClass(Javac.class, JAVAC);
    }

    private static int count(List<String> code, String prefix) {
        int n = 0;
        for (String line : code) {
            if (line.startsWith(prefix)) n++;
        }
        return n;
    }
}
