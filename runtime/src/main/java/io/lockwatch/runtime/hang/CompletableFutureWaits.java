package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.util.JdkFields;
import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Which task queued in a pool a thread in {@code CompletableFuture.join()} or {@code get()} waits for.
 *
 * <p>Such a thread parks on a {@code Signaller} that it pushed onto the stack of the future it waits on, and the
 * Signaller does not name that future. So the pool's queue is walked instead. Each of the JDK's own
 * CompletableFuture tasks in it ({@code supplyAsync}'s and {@code runAsync}'s, or an async stage such as
 * {@code thenApplyAsync}'s, queued once its source completed) completes one future, its {@code dep}; from there
 * the walk follows every dependent stage that cannot complete before it ({@code thenApply}, {@code thenCompose},
 * {@code thenCombine}, {@code allOf}, ...). A Signaller on any of those futures' stacks belongs to a thread whose
 * wait only that queued task can end. Dependents that another source can complete ({@code applyToEither},
 * {@code anyOf}) are not followed: such a wait is missed, never invented.
 *
 * <p>Only fields are read (the pool's package is opened to lockwatch at start-up), only of the JDK's own classes,
 * and the walk is capped: no code of the application's runs, and long chains of stages cost a bounded pass.
 */
final class CompletableFutureWaits {
    /** Stack nodes visited per pool, at most: past it, the rest is not looked at. */
    static final int MAX_STEPS = 100_000;

    private static final Class<?> SIGNALLER = nested("Signaller");
    private static final Class<?> UNI_COMPLETION = nested("UniCompletion");
    private static final Class<?> CO_COMPLETION = nested("CoCompletion");
    private static final Class<?> ASYNC_SUPPLY = nested("AsyncSupply");
    private static final Class<?> ASYNC_RUN = nested("AsyncRun");
    /** The either-stages: one of two sources completes them, so the one in the queue may not be needed. */
    private static final Set<Class<?>> EITHER = eitherStages();

    private static final Field STACK = JdkFields.field(CompletableFuture.class, "stack");
    private static final Field NEXT = JdkFields.field(nested("Completion"), "next");
    private static final Field STAGE_DEP = JdkFields.field(UNI_COMPLETION, "dep");
    private static final Field CO_BASE = JdkFields.field(CO_COMPLETION, "base");
    private static final Field SUPPLY_DEP = JdkFields.field(ASYNC_SUPPLY, "dep");
    private static final Field RUN_DEP = JdkFields.field(ASYNC_RUN, "dep");

    private CompletableFutureWaits() {}

    /** Is this a thread's blocker while it waits in {@code join()} or {@code get()} (and can it be followed)? */
    static boolean isWait(Object blocker) {
        return blocker != null && blocker.getClass() == SIGNALLER && available();
    }

    private static boolean available() {
        return SIGNALLER != null && UNI_COMPLETION != null && CO_COMPLETION != null && STACK != null && NEXT != null
                && STAGE_DEP != null && CO_BASE != null && SUPPLY_DEP != null && RUN_DEP != null;
    }

    /** Is this queued task one of CompletableFuture's, which completes a future when it runs? */
    static boolean completesAFuture(Object task) throws ReflectiveOperationException {
        return available() && futureCompletedBy(task) != null;
    }

    /**
     * @param queuedTasks CompletableFuture's tasks in a pool's queue ({@link #completesAFuture})
     * @param signallers the blockers of the pool's workers waiting in join() or get()
     * @return each of those signallers that waits on one of those tasks, with the future it is on and the task
     */
    static Map<Object, PoolStarvation.Wait> awaitedAmong(List<Object> queuedTasks, Set<Object> signallers)
            throws ReflectiveOperationException {
        Map<Object, PoolStarvation.Wait> found = new IdentityHashMap<>();
        Set<Object> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object> futures = new ArrayDeque<>();
        int steps = 0;
        for (Object task : queuedTasks) {
            Object completes = futureCompletedBy(task);
            if (completes == null || !visited.add(completes)) continue;
            futures.push(completes);
            while (!futures.isEmpty()) {
                Object future = futures.pop();
                for (Object node = STACK.get(future); node != null; node = NEXT.get(node)) {
                    if (++steps > MAX_STEPS) return found;
                    if (node.getClass() == SIGNALLER) {
                        if (signallers.contains(node)) found.put(node, new PoolStarvation.Wait(future, task));
                        continue;
                    }
                    Object dependent = needsItsSource(node);
                    if (dependent != null && visited.add(dependent)) futures.push(dependent);
                }
            }
            if (found.size() == signallers.size()) break;
        }
        return found;
    }

    /** The future a queued task completes when it runs, or null when it is not one of CompletableFuture's. */
    private static Object futureCompletedBy(Object task) throws ReflectiveOperationException {
        if (task == null) return null;
        Class<?> c = task.getClass();
        if (c == ASYNC_SUPPLY) return SUPPLY_DEP.get(task);
        if (c == ASYNC_RUN) return RUN_DEP.get(task);
        // A queued stage has been claimed by the source that completed: running it completes its dependent,
        // the either-stages too.
        if (UNI_COMPLETION.isInstance(task) && c.getClassLoader() == null) return STAGE_DEP.get(task);
        return null;
    }

    /** The future of a dependent stage on a stack that cannot complete before the future it is on, or null. */
    private static Object needsItsSource(Object node) throws ReflectiveOperationException {
        Object stage = node.getClass() == CO_COMPLETION ? CO_BASE.get(node) : node; // a both-stage's second source
        if (stage == null || !UNI_COMPLETION.isInstance(stage) || EITHER.contains(stage.getClass())) return null;
        return STAGE_DEP.get(stage); // null once it has run
    }

    private static Set<Class<?>> eitherStages() {
        Set<Class<?>> either = Collections.newSetFromMap(new IdentityHashMap<>());
        for (String name : new String[] {"OrApply", "OrAccept", "OrRun", "OrRelay", "AnyOf"}) {
            Class<?> c = nested(name);
            if (c != null) either.add(c);
        }
        return either;
    }

    private static Class<?> nested(String simpleName) {
        return JdkFields.jdkClass(CompletableFuture.class.getName() + "$" + simpleName);
    }
}
