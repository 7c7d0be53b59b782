package io.lockwatch.it.programs;

/** a.append(b) holds a while it reads b; b.append(a) the other way round: StringBuffer's own locks invert. */
public final class StringBufferInversion {
    public static void main(String[] args) throws Exception {
        StringBuffer a = new StringBuffer("a");
        StringBuffer b = new StringBuffer("b");
        Staggered.steps()
                .then("appends-b-to-a", () -> a.append(b))
                .then("appends-a-to-b", () -> b.append(a))
                .run();
        System.out.println(a.length() + b.length());
    }
}
