package io.lockwatch.it.harness;

/**
 * How test classes share the machine when they run their tests two at a time ({@code @Execution(CONCURRENT)};
 * JUnit's parallel execution is configured in integration-tests/pom.xml, with classes still one after another).
 */
public final class Parallel {
    /**
     * The key of JUnit's {@code @ResourceLock} for the machine's cores. A concurrent class gives each of its tests
     * a read lock on it ({@code target = CHILDREN}), so two of them run together; a test that keeps a core busy, or
     * whose assertion has a margin of a second or less, takes it to write and runs alone.
     */
    public static final String MACHINE = "the machine's cores";

    private Parallel() {}
}
