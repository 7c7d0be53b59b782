package io.lockwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The agent argument's enabled=, read before anything else; the property and the environment are the integration tests'. */
class LockwatchAgentTest {
    @Test
    void theArgumentsLastEnabledDecides() {
        assertEquals("enabled=false in -javaagent", LockwatchAgent.turnedOffBy("enabled=false", false, true));
        assertEquals("enabled=false in -javaagent", LockwatchAgent.turnedOffBy("report=x.json, enabled = FALSE ,port=0", false, true));
        assertNull(LockwatchAgent.turnedOffBy("enabled=false,enabled=true", false, true));
        assertEquals("enabled=false in -javaagent", LockwatchAgent.turnedOffBy("enabled=true,enabled=false", false, true));
        assertEquals("enabled=false in the attach's options", LockwatchAgent.turnedOffBy("enabled=false", true, true));
    }

    @Test
    void anythingButFalseLeavesLockwatchOn() {
        assertNull(LockwatchAgent.turnedOffBy(null, false, true));
        assertNull(LockwatchAgent.turnedOffBy("", false, true));
        assertNull(LockwatchAgent.turnedOffBy("enabled", false, true));
        assertNull(LockwatchAgent.turnedOffBy("enabled=no", false, true));
        assertNull(LockwatchAgent.turnedOffBy("report=enabled=false.json", false, true));
    }
}
