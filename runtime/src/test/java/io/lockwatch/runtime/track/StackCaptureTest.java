package io.lockwatch.runtime.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Captured stacks keep one frame object per distinct frame, whichever thread or capture found it. */
class StackCaptureTest {
    @Test
    void equalFramesOfStacksCapturedByTwoThreadsAreOneObject() throws InterruptedException {
        StackTraceElement[][] captured = new StackTraceElement[2][];
        for (int t = 0; t < captured.length; t++) {
            int slot = t;
            // The same code for both threads, through a frame of the JDK's: lockwatch's own frames (this test's
            // package too) are left out of captured stacks.
            Thread thread = new Thread(() -> List.of(slot).forEach(i -> captured[i] = captureHere()));
            thread.start();
            thread.join();
        }
        StackTraceElement[] a = captured[0];
        StackTraceElement[] b = captured[1];
        assertNotSame(a, b);
        assertEquals(a.length, b.length);
        assertTrue(a.length >= 2, "List's forEach and Thread.run at least: " + java.util.Arrays.toString(a));
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i]);
            assertSame(a[i], b[i], "frame " + i + " (" + a[i] + ") is kept once");
        }
    }

    private static StackTraceElement[] captureHere() {
        return StackCapture.current(64);
    }
}
