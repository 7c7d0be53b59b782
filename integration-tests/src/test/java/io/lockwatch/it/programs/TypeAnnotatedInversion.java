package io.lockwatch.it.programs;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * ABBA through two monitors, taken in a method whose code carries a type annotation: lockwatch's rewriter
 * of raw class files leaves such a class to ASM, so this runs that way in a real JVM.
 */
public final class TypeAnnotatedInversion {
    @Target(ElementType.TYPE_USE)
    @Retention(RetentionPolicy.RUNTIME)
    @interface Checked {}

    static final Object A = new Object();
    static final Object B = new Object();

    public static void main(String[] args) throws Exception {
        Staggered.steps()
                .then("first", () -> nest(A, B))
                .then("second", () -> nest(B, A))
                .run();
        System.out.println("done");
    }

    static void nest(Object outer, Object inner) {
        @Checked Object first = outer;
        synchronized (first) {
            synchronized (inner) {
                work();
            }
        }
    }

    static void work() {}
}
