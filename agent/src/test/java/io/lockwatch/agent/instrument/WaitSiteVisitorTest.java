package io.lockwatch.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.runtime.track.WaitTracker;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

class WaitSiteVisitorTest {
    private static final String[][] CALLS = {
        {"java/util/concurrent/CountDownLatch", "await", "()V"},
        {"java/util/concurrent/CountDownLatch", "await", "(JLjava/util/concurrent/TimeUnit;)Z"},
        {"java/util/concurrent/Semaphore", "acquire", "()V"},
        {"java/util/concurrent/Semaphore", "acquire", "(I)V"},
        {"java/util/concurrent/Semaphore", "acquireUninterruptibly", "()V"},
        {"java/util/concurrent/Semaphore", "acquireUninterruptibly", "(I)V"},
        {"java/util/concurrent/Semaphore", "tryAcquire", "(JLjava/util/concurrent/TimeUnit;)Z"},
        {"java/util/concurrent/Semaphore", "tryAcquire", "(IJLjava/util/concurrent/TimeUnit;)Z"},
        {"java/util/concurrent/CyclicBarrier", "await", "()I"},
        {"java/util/concurrent/CyclicBarrier", "await", "(JLjava/util/concurrent/TimeUnit;)I"},
        {"java/util/concurrent/Phaser", "arriveAndAwaitAdvance", "()I"},
        {"java/util/concurrent/Phaser", "awaitAdvance", "(I)I"},
        {"java/util/concurrent/Phaser", "awaitAdvanceInterruptibly", "(I)I"},
        {"java/util/concurrent/Phaser", "awaitAdvanceInterruptibly", "(IJLjava/util/concurrent/TimeUnit;)I"},
        {"java/util/concurrent/locks/Condition", "await", "()V"},
        {"java/util/concurrent/locks/Condition", "await", "(JLjava/util/concurrent/TimeUnit;)Z"},
        {"java/util/concurrent/locks/Condition", "awaitNanos", "(J)J"},
        {"java/util/concurrent/locks/Condition", "awaitUninterruptibly", "()V"},
        {"java/util/concurrent/locks/Condition", "awaitUntil", "(Ljava/util/Date;)Z"},
        {"java/util/concurrent/locks/AbstractQueuedSynchronizer$ConditionObject", "await", "()V"},
    };

    /** Each rewritten call must land on a public static WaitTracker method with the same result type. */
    @Test
    void everyRewrittenCallHasItsWrapper() throws Exception {
        for (String[] call : CALLS) {
            String wrapper = WaitSiteVisitor.wrapperDescriptor(call[0], call[1], call[2]);
            assertNotNull(wrapper, String.join(" ", call));
            MethodType type = MethodType.fromMethodDescriptorString(wrapper, getClass().getClassLoader());
            Method m = WaitTracker.class.getMethod(call[1], type.parameterArray());
            assertTrue(Modifier.isStatic(m.getModifiers()), m.toString());
            assertEquals(type.returnType(), m.getReturnType(), m.toString());
            assertEquals(int.class, type.parameterType(type.parameterCount() - 1), "site last");
        }
    }

    @Test
    void nonWaitingCallsAreLeftAlone() {
        assertNull(WaitSiteVisitor.wrapperDescriptor("java/util/concurrent/CountDownLatch", "countDown", "()V"));
        assertNull(WaitSiteVisitor.wrapperDescriptor("java/util/concurrent/Semaphore", "tryAcquire", "()Z"));
        assertNull(WaitSiteVisitor.wrapperDescriptor("java/util/concurrent/locks/Condition", "signal", "()V"));
        assertNull(WaitSiteVisitor.wrapperDescriptor("com/acme/MySemaphore", "acquire", "()V"));
    }

    @Test
    void theSynchronizersOwnInnerWaitsAreNotRewritten() {
        assertTrue(WaitSiteVisitor.isSynchronizerItself("java.util.concurrent.CyclicBarrier"));
        assertTrue(WaitSiteVisitor.isSynchronizerItself("java.util.concurrent.Phaser$QNode"));
        assertTrue(WaitSiteVisitor.isSynchronizerItself("java.util.concurrent.locks.ReentrantReadWriteLock"));
        assertTrue(!WaitSiteVisitor.isSynchronizerItself("java.util.concurrent.LinkedBlockingQueue"), "a queue's waits are conditions");
        assertTrue(!WaitSiteVisitor.isSynchronizerItself("com.acme.Pool"));
    }
}
