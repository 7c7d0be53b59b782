package io.lockwatch.it.programs;

import java.util.Vector;

/** v1.equals(v2) holds v1 while it iterates v2 (which locks v2), and v2.equals(v1) the other way round. */
public final class VectorInversion {
    public static void main(String[] args) throws Exception {
        Vector<String> v1 = new Vector<>(java.util.List.of("x", "y"));
        Vector<String> v2 = new Vector<>(java.util.List.of("x", "y"));
        boolean[] equal = new boolean[2];
        Staggered.steps()
                .then("compares-v1", () -> equal[0] = v1.equals(v2))
                .then("compares-v2", () -> equal[1] = v2.equals(v1))
                .run();
        System.out.println(equal[0] && equal[1]);
    }
}
