package io.lockwatch.it.programs;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;

/**
 * Defines classes that lockwatch cannot instrument, and runs them: each has one method of nearly 64 KiB of
 * bytecode (the class file format's limit) that takes and releases a monitor 16,000 times, as generated code
 * (a parser, a compiled template) can be. Instrumenting its lock sites would take the method past the limit,
 * so the class must run unchanged. Prints how many classes ran. Argument: how many classes (default 1).
 */
public final class TooLargeToInstrument {
    /** Monitor pairs in the method: 4 bytes each, 64,000 bytes in all, under the limit of 65,535. */
    static final int MONITOR_PAIRS = 16_000;

    public static void main(String[] args) throws Exception {
        int classes = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int ran = 0;
        for (int i = 0; i < classes; i++) ran += run("TooLarge" + i);
        System.out.println("ran " + ran);
    }

    /** Defines the class of that name in a loader of its own and runs its method: 1 when it ran. */
    public static int run(String className) throws ReflectiveOperationException {
        byte[] classFile = classFile(className);
        Class<?> type = new ClassLoader(TooLargeToInstrument.class.getClassLoader()) {
            Class<?> define() {
                return defineClass(className, classFile, 0, classFile.length);
            }
        }.define();
        Method run = type.getMethod("run", Object.class);
        return (Integer) run.invoke(null, new Object());
    }

    /**
     * {@code public class <name> { public static int run(Object o) }}, whose body is {@code MONITOR_PAIRS}
     * times {@code monitorenter o; monitorexit o}, then {@code return 1}. Class file version 49, which needs no
     * stack map frames.
     */
    static byte[] classFile(String className) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(70_000);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0xCAFEBABE);
            out.writeShort(0);
            out.writeShort(49);
            out.writeShort(8); // constant pool: entries 1 to 7
            utf8(out, className.replace('.', '/')); // 1
            classRef(out, 1); // 2
            utf8(out, "java/lang/Object"); // 3
            classRef(out, 3); // 4
            utf8(out, "run"); // 5
            utf8(out, "(Ljava/lang/Object;)I"); // 6
            utf8(out, "Code"); // 7
            out.writeShort(0x0021); // public, super
            out.writeShort(2);
            out.writeShort(4);
            out.writeShort(0); // interfaces
            out.writeShort(0); // fields
            out.writeShort(1); // methods
            out.writeShort(0x0009); // public static
            out.writeShort(5);
            out.writeShort(6);
            out.writeShort(1); // attributes: Code
            int codeLength = MONITOR_PAIRS * 4 + 2;
            out.writeShort(7);
            out.writeInt(2 + 2 + 4 + codeLength + 2 + 2);
            out.writeShort(1); // max stack
            out.writeShort(1); // max locals
            out.writeInt(codeLength);
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
