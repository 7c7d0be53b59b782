package io.lockwatch.runtime.hang;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lockwatch.runtime.hang.LongHoldFinding.Running;
import org.junit.jupiter.api.Test;

/** What a long hold says its runnable holder is doing, from the top of the holder's stack. */
class LongHoldRunningTest {
    private static StackTraceElement frame(String className, String method, int line) {
        return new StackTraceElement(className, method, className + ".java", line); // line -2: a native method
    }

    @Test
    void aNativeTopFrameIsNativeCode() {
        assertEquals(Running.NATIVE, Running.of(new StackTraceElement[] {
                frame("sun.nio.ch.Net", "accept", -2), frame("app.Cache", "load", 12)}));
    }

    @Test
    void anyOtherTopFrameIsJavaCode() {
        assertEquals(Running.JAVA, Running.of(new StackTraceElement[] {
                frame("java.util.HashMap", "get", 556), frame("app.Cache", "load", 12)}));
        assertEquals(Running.JAVA, Running.of(new StackTraceElement[0]));
    }
}
