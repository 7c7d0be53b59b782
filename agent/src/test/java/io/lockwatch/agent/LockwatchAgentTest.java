package io.lockwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The agent argument's enabled=, read before anything else; the property and the environment are the integration tests'. */
class LockwatchAgentTest {
    @Test
    void theArgumentsLastEnabledDecides() {
        assertEquals("enabled=false in -javaagent", LockwatchAgent.turnedOffBy("enabled=false", false));
        assertEquals("enabled=false in -javaagent", LockwatchAgent.turnedOffBy("report=x.json, enabled = FALSE ,port=0", false));
        assertNull(LockwatchAgent.turnedOffBy("enabled=false,enabled=true", false));
        assertEquals("enabled=false in -javaagent", LockwatchAgent.turnedOffBy("enabled=true,enabled=false", false));
        assertEquals("enabled=false in the attach's options", LockwatchAgent.turnedOffBy("enabled=false", true));
    }

    @Test
    void anythingButFalseLeavesLockwatchOn() {
        assertNull(LockwatchAgent.turnedOffBy(null, false));
        assertNull(LockwatchAgent.turnedOffBy("", false));
        assertNull(LockwatchAgent.turnedOffBy("enabled", false));
        assertNull(LockwatchAgent.turnedOffBy("enabled=no", false));
        assertNull(LockwatchAgent.turnedOffBy("report=enabled=false.json", false));
    }
}
