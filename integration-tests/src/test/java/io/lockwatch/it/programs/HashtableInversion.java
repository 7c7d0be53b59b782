package io.lockwatch.it.programs;

import java.util.Hashtable;

/** h1.equals(h2) holds h1 while it calls h2's synchronized methods, and h2.equals(h1) the other way round. */
public final class HashtableInversion {
    public static void main(String[] args) throws Exception {
        Hashtable<String, Integer> h1 = new Hashtable<>();
        Hashtable<String, Integer> h2 = new Hashtable<>();
        h1.put("k", 1);
        h2.put("k", 1);
        boolean[] equal = new boolean[2];
        Staggered.steps()
                .then("compares-h1", () -> equal[0] = h1.equals(h2))
                .then("compares-h2", () -> equal[1] = h2.equals(h1))
                .run();
        System.out.println(equal[0] && equal[1]);
    }
}
