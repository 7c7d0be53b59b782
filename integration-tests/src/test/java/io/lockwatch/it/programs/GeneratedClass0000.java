package io.lockwatch.it.programs;

/**
 * The class that {@link ManyClassesLoaded} copies under other names: {@code GeneratedClass0001} and on,
 * each its class file with the last four digits of the name replaced.
 */
public final class GeneratedClass0000 {
    public int value() {
        return 42;
    }
}
