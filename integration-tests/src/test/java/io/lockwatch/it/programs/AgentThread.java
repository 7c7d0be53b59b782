package io.lockwatch.it.programs;

/** A thread the agent started, found by its name from inside the program. */
final class AgentThread {
    private AgentThread() {}

    /** @return the live thread of that name, or null when there is none (already ended, or never started) */
    static Thread named(String name) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) return t;
        }
        return null;
    }
}
