package io.lockwatch.it.harness;

import java.util.Comparator;
import java.util.Optional;
import org.junit.jupiter.api.MethodDescriptor;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.MethodOrdererContext;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The order of a {@link TwoAtATime} or {@link ThreeAtATime} class's tests: those that take the machine to write come
 * first, the others after them in JUnit's default order. A test that takes the machine waits for every running test
 * to end, and the tests that would start meanwhile wait behind it: scattered among the others, each such test left
 * the cores idle while the last of its neighbours finished (up to a hung program's few seconds, once per such test);
 * first, they run one after another before the others start, so that wait comes once. Tests still run at once: this
 * orders the queue, not the execution mode.
 */
public class MachineTestsFirst implements MethodOrderer {
    @Override
    public void orderMethods(MethodOrdererContext context) {
        // A stable sort: the tests of each kind keep JUnit's default order.
        context.getMethodDescriptors().sort(Comparator.comparingInt(method -> takesTheMachine(method) ? 0 : 1));
    }

    private static boolean takesTheMachine(MethodDescriptor method) {
        for (ResourceLock lock : method.getMethod().getAnnotationsByType(ResourceLock.class)) {
            if (lock.value().equals(TwoAtATime.MACHINE) && lock.mode() == ResourceAccessMode.READ_WRITE) return true;
        }
        return false;
    }

    /** None of its own: the class's tests run at once, as the execution's configuration says. */
    @Override
    public Optional<ExecutionMode> getDefaultExecutionMode() {
        return Optional.empty();
    }
}
