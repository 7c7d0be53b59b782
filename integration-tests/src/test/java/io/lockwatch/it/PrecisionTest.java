package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.harness.Report;
import io.lockwatch.it.programs.GateLock;
import io.lockwatch.it.programs.MappingFunctionsInversion;
import io.lockwatch.it.programs.MonitorInversion;
import io.lockwatch.it.programs.NonBlockingAcquisition;
import io.lockwatch.it.programs.ReadersOnly;
import io.lockwatch.it.programs.ReentryAndWaits;
import io.lockwatch.it.programs.SameOrderThenReversed;
import io.lockwatch.it.programs.SingleThreadBothOrders;
import io.lockwatch.it.programs.StartJoinOrder;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The trap suite: lock orders that look like cycles but cannot deadlock must give no finding, and each
 * trap's twin, which differs by the one detail that makes the deadlock possible, exactly one.
 */
class PrecisionTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("gate lock", GateLock.class, "gated", 0),
                Arguments.of("gate lock removed", GateLock.class, "ungated", 1),
                Arguments.of("two mapping functions of one map, in a gate", MappingFunctionsInversion.class, "gated", 0),
                Arguments.of("two mapping functions of one map: its bins are no gate", MappingFunctionsInversion.class, "", 1),
                Arguments.of("single thread", SingleThreadBothOrders.class, "", 0),
                Arguments.of("two threads", MonitorInversion.class, "", 1),
                Arguments.of("tryLock", NonBlockingAcquisition.class, "tryLock", 0),
                Arguments.of("timed tryLock", NonBlockingAcquisition.class, "timedTryLock", 0),
                Arguments.of("tryLock replaced by lock", NonBlockingAcquisition.class, "lock", 1),
                Arguments.of("ordered by start", StartJoinOrder.class, "start", 0),
                Arguments.of("same order again after start", StartJoinOrder.class, "start-again", 1),
                Arguments.of("ordered by join", StartJoinOrder.class, "join", 0),
                Arguments.of("taken before the join", StartJoinOrder.class, "before-join", 1),
                Arguments.of("read locks only", ReadersOnly.class, "read", 0),
                Arguments.of("write lock instead of read", ReadersOnly.class, "write", 1),
                Arguments.of("re-entry and condition waits", ReentryAndWaits.class, "reenter", 0),
                Arguments.of("another lock instead of re-entry", ReentryAndWaits.class, "other-lock", 1),
                Arguments.of("same order under load", SameOrderThenReversed.class, "same", 0),
                Arguments.of("one reversed acquisition after the load", SameOrderThenReversed.class, "reversed", 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void findsExactlyTheRealInversions(String name, Class<?> program, String arg, int expected) {
        ChildJvm child = ChildJvm.run(program);
        if (!arg.isEmpty()) child.args(arg);
        ChildResult run = child.exec().assertCleanExit();
        Report report = run.report();
        assertEquals(expected, report.potentialDeadlocks().size(),
                name + ": " + report.potentialDeadlocks().toPrettyString() + "\nstderr:\n" + run.stderr);
        if (program == SameOrderThenReversed.class) {
            assertTrue(report.stat("edgesSeen") < 500, "the graph stays small under load: " + report.json.get("stats"));
        }
    }
}
