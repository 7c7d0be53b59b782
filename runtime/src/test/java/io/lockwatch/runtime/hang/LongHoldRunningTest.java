package io.lockwatch.runtime.hang;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lockwatch.runtime.hang.LongHoldFinding.Running;
import org.junit.jupiter.api.Test;

/** What a long hold says its runnable holder is doing, from the top of the holder's stack. */
class LongHoldRunningTest {
    /** JDK 25's stack of a virtual thread that was unparked and waits for a carrier (seen in the fifty-first session). */
    private static final StackTraceElement[] READY_VIRTUAL = {
            frame("java.lang.VirtualThread", "park", 742), frame("java.lang.System$1", "parkVirtualThread", 2285),
            frame("java.util.concurrent.locks.LockSupport", "park", 367), frame("app.Cache", "load", 12)};

    private static StackTraceElement frame(String className, String method, int line) {
        return new StackTraceElement(className, method, className + ".java", line); // line -2: a native method
    }

    @Test
    void aNativeTopFrameIsNativeCode() {
        StackTraceElement[] accept = {frame("sun.nio.ch.Net", "accept", -2), frame("app.Cache", "load", 12)};
        assertEquals(Running.NATIVE, Running.of(accept));
        assertEquals(Running.NATIVE, Running.ofVirtual(accept));
    }

    @Test
    void anyOtherTopFrameIsJavaCode() {
        StackTraceElement[] loop = {frame("java.util.HashMap", "get", 556), frame("app.Cache", "load", 12)};
        assertEquals(Running.JAVA, Running.of(loop));
        assertEquals(Running.JAVA, Running.ofVirtual(loop));
        assertEquals(Running.JAVA, Running.ofVirtual(new StackTraceElement[0]));
    }

    /** A loop that yields under a lock gets carriers between its yields: its code is what it runs (JDK 25's frames). */
    @Test
    void aVirtualThreadInAYieldIsJavaCode() {
        assertEquals(Running.JAVA, Running.ofVirtual(new StackTraceElement[] {
                frame("java.lang.VirtualThread", "tryYield", 945), frame("java.lang.Thread", "yield", 460),
                frame("app.Cache", "load", 12)}));
    }

    @Test
    void aRunnableVirtualThreadStillInTheParkItWasWokenFromWaitsForACarrier() {
        assertEquals(Running.NO_CARRIER, Running.ofVirtual(READY_VIRTUAL));
        assertEquals(Running.JAVA, Running.of(READY_VIRTUAL), "a platform thread always runs what its stack shows");
    }
}
