package io.lockwatch.it.programs;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Defines classes whose lock sites lockwatch cannot instrument, and runs them: each has one method of nearly
 * 64 KiB of bytecode (the class file format's limit) that takes and releases a monitor 16,000 times, as
 * generated code (a parser, a compiled template) can be. Instrumenting its lock sites would take the method
 * past the limit, so that method must run unchanged. Prints how many classes ran.
 *
 * <p>Arguments: how many classes (default 1), then what else the classes have:
 * <ul>
 *   <li>{@code alone} (the default): the large method is the class's only method;</li>
 *   <li>{@code nest}: a second method, {@code nest(outer, inner)}, nests two monitors; the program then takes
 *       two objects in both orders through it, from two threads alive at once (a potential deadlock, found only
 *       if that method is instrumented);</li>
 *   <li>{@code nest-and-lock-api}: as {@code nest}, and the large method also locks and unlocks its argument
 *       through the {@code Lock} interface (a {@code ReentrantLock} is passed), which lockwatch must not leave
 *       untracked in one method while it tracks the class's others.</li>
 * </ul>
 */
public final class TooLargeToInstrument {
    /** Monitor pairs in the method: 4 bytes each, 64,000 bytes in all, under the limit of 65,535. */
    static final int MONITOR_PAIRS = 16_000;

    static final Object A = new Object();
    static final Object B = new Object();

    public static void main(String[] args) throws Exception {
        int classes = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        String shape = args.length > 1 ? args[1] : "alone";
        boolean nest = !shape.equals("alone");
        boolean lockApi = shape.equals("nest-and-lock-api");
        int ran = 0;
        for (int i = 0; i < classes; i++) {
            Class<?> type = define("TooLarge" + i, classFile("TooLarge" + i, nest, lockApi));
            ran += run(type, lockApi ? new ReentrantLock() : new Object());
            if (nest) invertThrough(type.getMethod("nest", Object.class, Object.class));
        }
        System.out.println("ran " + ran);
    }

    /** Defines the class of that name (its only method the large one) in a loader of its own and runs it: 1 when it ran. */
    public static int run(String className) throws ReflectiveOperationException {
        return run(define(className, classFile(className, false, false)), new Object());
    }

    private static int run(Class<?> type, Object argument) throws ReflectiveOperationException {
        return (Integer) type.getMethod("run", Object.class).invoke(null, argument);
    }

    private static Class<?> define(String className, byte[] classFile) {
        return new ClassLoader(TooLargeToInstrument.class.getClassLoader()) {
            Class<?> define() {
                return defineClass(className, classFile, 0, classFile.length);
            }
        }.define();
    }

    /** A then B in one thread, B then A in another, both alive at once, through the class's nest method. */
    private static void invertThrough(Method nest) throws InterruptedException {
        Staggered.steps()
                .then("first", () -> call(nest, A, B))
                .then("second", () -> call(nest, B, A))
                .run();
    }

    private static void call(Method nest, Object outer, Object inner) {
        try {
            nest.invoke(null, outer, inner);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code public class <name> { public static int run(Object o); public static void nest(Object, Object) }}.
     * The body of {@code run} is {@code MONITOR_PAIRS} times {@code monitorenter o; monitorexit o}, then
     * {@code return 1} (with {@code lockApi}, preceded by {@code ((Lock) o).lock(); ((Lock) o).unlock()}); that of
     * {@code nest}, only with {@code nest}: {@code monitorenter outer; monitorenter inner; monitorexit inner;
     * monitorexit outer; return}. Class file version 49, which needs no stack map frames.
     */
    static byte[] classFile(String className, boolean nest, boolean lockApi) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(70_000);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0xCAFEBABE);
            out.writeShort(0);
            out.writeShort(49);
            out.writeShort(lockApi ? 19 : 10); // constant pool: entries 1 to 9, or to 18
            utf8(out, className.replace('.', '/')); // 1
            classRef(out, 1); // 2
            utf8(out, "java/lang/Object"); // 3
            classRef(out, 3); // 4
            utf8(out, "run"); // 5
            utf8(out, "(Ljava/lang/Object;)I"); // 6
            utf8(out, "Code"); // 7
            utf8(out, "nest"); // 8 (unused without the nest method)
            utf8(out, "(Ljava/lang/Object;Ljava/lang/Object;)V"); // 9
            if (lockApi) {
                utf8(out, "java/util/concurrent/locks/Lock"); // 10
                classRef(out, 10); // 11
                utf8(out, "lock"); // 12
                utf8(out, "unlock"); // 13
                utf8(out, "()V"); // 14
                out.writeByte(12); // 15: NameAndType lock ()V
                out.writeShort(12);
                out.writeShort(14);
                out.writeByte(12); // 16: NameAndType unlock ()V
                out.writeShort(13);
                out.writeShort(14);
                for (int nameAndType : new int[] {15, 16}) { // 17 and 18: Lock.lock(), Lock.unlock()
                    out.writeByte(11); // InterfaceMethodref
                    out.writeShort(11);
                    out.writeShort(nameAndType);
                }
            }
            out.writeShort(0x0021); // public, super
            out.writeShort(2);
            out.writeShort(4);
            out.writeShort(0); // interfaces
            out.writeShort(0); // fields
            out.writeShort(nest ? 2 : 1); // methods
            out.writeShort(0x0009); // public static
            out.writeShort(5);
            out.writeShort(6);
            out.writeShort(1); // attributes: Code
            int lockCalls = lockApi ? 12 : 0; // two of aload_0 and invokeinterface: 1 + 5 bytes each
            int codeLength = lockCalls + MONITOR_PAIRS * 4 + 2;
            out.writeShort(7);
            out.writeInt(2 + 2 + 4 + codeLength + 2 + 2);
            out.writeShort(1); // max stack
            out.writeShort(1); // max locals
            out.writeInt(codeLength);
            if (lockApi) {
                for (int ref : new int[] {17, 18}) {
                    out.writeByte(0x2A); // aload_0
                    out.writeByte(0xB9); // invokeinterface #ref, 1 argument slot (the receiver), 0
                    out.writeShort(ref);
                    out.writeByte(1);
                    out.writeByte(0);
                }
            }
            for (int i = 0; i < MONITOR_PAIRS; i++) {
                out.writeByte(0x2A); // aload_0
                out.writeByte(0xC2); // monitorenter
                out.writeByte(0x2A); // aload_0
                out.writeByte(0xC3); // monitorexit
            }
            out.writeByte(0x04); // iconst_1
            out.writeByte(0xAC); // ireturn
            out.writeShort(0); // exception table
            out.writeShort(0); // code attributes
            if (nest) {
                out.writeShort(0x0009); // public static
                out.writeShort(8);
                out.writeShort(9);
                out.writeShort(1); // attributes: Code
                byte[] code = {
                    0x2A, (byte) 0xC2, // aload_0, monitorenter
                    0x2B, (byte) 0xC2, // aload_1, monitorenter
                    0x2B, (byte) 0xC3, // aload_1, monitorexit
                    0x2A, (byte) 0xC3, // aload_0, monitorexit
                    (byte) 0xB1, // return
                };
                out.writeShort(7);
                out.writeInt(2 + 2 + 4 + code.length + 2 + 2);
                out.writeShort(1); // max stack
                out.writeShort(2); // max locals
                out.writeInt(code.length);
                out.write(code);
                out.writeShort(0); // exception table
                out.writeShort(0); // code attributes
            }
            out.writeShort(0); // class attributes
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void utf8(DataOutputStream out, String text) throws IOException {
        out.writeByte(1);
        out.writeUTF(text);
    }

    private static void classRef(DataOutputStream out, int nameIndex) throws IOException {
        out.writeByte(7);
        out.writeShort(nameIndex);
    }
}
