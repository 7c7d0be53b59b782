package io.lockwatch.it.programs;

/**
 * {@link StringBufferInversion}, once the agent's late check of the early JDK classes its list does not name
 * (thread {@code lockwatch-unlisted-check}) is done: on a JDK build the agent's list was not read off, that
 * check is what makes such a class's locks tracked.
 */
public final class StringBufferInversionAfterLateCheck {
    public static void main(String[] args) throws Exception {
        Thread check = AgentThread.named("lockwatch-unlisted-check");
        if (check != null) check.join(60_000);
        StringBufferInversion.main(args);
    }
}
