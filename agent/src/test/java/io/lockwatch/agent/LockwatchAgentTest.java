package io.lockwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The agent argument's enabled=, read before anything else; the property and the environment are the integration tests'. */
class LockwatchAgentTest {
    @Test
    void theArgumentsLastEnabledDecides() {
        assertEquals("enabled=false in -javaagent", LockwatchAgent.turnedOffBy("enabled=false"));
        assertEquals("enabled=false in -javaagent", LockwatchAgent.turnedOffBy("report=x.json, enabled = FALSE ,port=0"));
        assertNull(LockwatchAgent.turnedOffBy("enabled=false,enabled=true"));
        assertEquals("enabled=false in -javaagent", LockwatchAgent.turnedOffBy("enabled=true,enabled=false"));
    }

    @Test
    void anythingButFalseLeavesLockwatchOn() {
        assertNull(LockwatchAgent.turnedOffBy(null));
        assertNull(LockwatchAgent.turnedOffBy(""));
        assertNull(LockwatchAgent.turnedOffBy("enabled"));
        assertNull(LockwatchAgent.turnedOffBy("enabled=no"));
        assertNull(LockwatchAgent.turnedOffBy("report=enabled=false.json"));
    }
}
