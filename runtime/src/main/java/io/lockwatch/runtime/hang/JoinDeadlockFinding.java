package io.lockwatch.runtime.hang;

import java.util.List;

/**
 * A deadlock of threads that join each other ({@link JoinCycles}): each waits in {@code join()} for the next one to
 * end. The same finding as a deadlock of locks, in the report's {@code deadlocks}, each thread's owner the thread
 * it joins; only the headline says how the threads wait.
 */
final class JoinDeadlockFinding extends DeadlockFinding {
    JoinDeadlockFinding(List<ThreadView> cycle) {
        super(cycle);
    }

    @Override
    String how() {
        return "each joining the next one, which never ends";
    }
}
