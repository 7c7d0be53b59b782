package io.lockwatch.runtime.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Captured stacks keep one frame object per distinct frame, whichever thread or capture found it; the two ways
 * of capturing give the same stack; a thread with deep stacks is walked, and so is a JVM that cuts Throwables short.
 */
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

    @Test
    void aThrowablesStackAndTheWalkersAreTheSameStackReflectionLeftOut() throws Exception {
        // Through a reflective call: the walker leaves reflection's frames out, so the Throwable's must too.
        Method both = StackCaptureTest.class.getDeclaredMethod("bothWays");
        StackTraceElement[][] captured = (StackTraceElement[][]) both.invoke(null);
        StackTraceElement[] thrown = captured[0];
        StackTraceElement[] walked = captured[1];
        assertEquals(walked.length, thrown.length, Arrays.toString(thrown) + "\n" + Arrays.toString(walked));
        // The top frame is the same method, on two lines.
        assertEquals(walked[0].getMethodName(), thrown[0].getMethodName());
        for (int i = 1; i < thrown.length; i++) assertSame(walked[i], thrown[i], "frame " + i);
        for (StackTraceElement frame : thrown) {
            assertFalse(frame.getClassName().startsWith("jdk.internal.reflect.")
                    || frame.getClassName().equals("java.lang.reflect.Method"), "reflection's frame: " + frame);
        }
    }

    @Test
    void aThreadWhoseStacksRunDeepIsWalkedFromThenOn() {
        ThreadState thread = new ThreadState(Thread.currentThread());
        StackCapture.current(1024, thread);
        assertFalse(thread.walksStacks, "this test's stack is not over 1,536 frames");
        StackTraceElement[] kept = StackCapture.current(8, thread);
        assertEquals(8, kept.length);
        assertTrue(thread.walksStacks, "over " + StackCapture.deepFrom(8) + " frames");
        assertEquals(8, StackCapture.current(8, thread).length, "walked, to the same depth");
    }

    @Test
    void aJvmThatCutsThrowablesShortIsFoundAtStart() {
        try {
            StackCapture.checkThrowables(64);
            assertEquals(Integer.MAX_VALUE, StackCapture.throwablesCutAt(), "the JVM keeps 1,024 frames by default");
            // Probes 1,552 frames deep, past the JVM's default MaxJavaStackTraceDepth.
            StackCapture.checkThrowables(1024);
            assertEquals(1024, StackCapture.throwablesCutAt());
            ThreadState thread = new ThreadState(Thread.currentThread());
            assertTrue(StackCapture.current(1024, thread).length >= 2, "a short stack is taken whole");
            assertFalse(thread.walksStacks, "and from a Throwable");
        } finally {
            StackCapture.checkThrowables(64);
        }
    }

    /** Both ways from one method (a frame of the JDK's below: lockwatch's own frames are left out). */
    static StackTraceElement[][] bothWays() {
        return new StackTraceElement[][] {
            java.util.Optional.of(64).map(StackCapture::current).get(),
            java.util.Optional.of(64).map(StackCapture::walked).get()};
    }
}
