package io.lockwatch.runtime.util;

import java.util.ArrayList;
import java.util.List;

/**
 * The JDK modules this Java runtime has. A jlink image, or a JVM started with {@code --limit-modules}, may lack
 * some that parts of lockwatch need (java.management for hang detection; java.logging, java.management and
 * jdk.jfr for the metrics endpoint): asked up front, so that one line can name every missing module and the
 * fix, instead of a NoClassDefFoundError naming one class at a time.
 */
public final class RuntimeModules {
    private RuntimeModules() {}

    /** @return those of the modules that this runtime's boot layer does not have, in the order given */
    public static List<String> missing(String... modules) {
        List<String> missing = new ArrayList<>();
        ModuleLayer boot = ModuleLayer.boot(); // null only before the module system is up, long before premain
        for (String module : modules) {
            if (boot == null || boot.findModule(module).isEmpty()) missing.add(module);
        }
        return missing;
    }

    /** What to do about them, for the end of an error line. */
    public static String fix(List<String> missing) {
        String names = String.join(",", missing);
        return "Fix: add " + names + " to the image (jlink --add-modules " + names + ") or to --limit-modules";
    }
}
