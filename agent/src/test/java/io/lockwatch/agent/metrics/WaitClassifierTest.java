package io.lockwatch.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lockwatch.agent.metrics.WaitClassifier.Frame;
import io.lockwatch.agent.metrics.WaitClassifier.Wait;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stacks as the JVM records them for jdk.ThreadPark / JavaMonitorEnter / JavaMonitorWait (top first). */
class WaitClassifierTest {
    private static List<Frame> stack(String... frames) {
        List<Frame> out = new ArrayList<>();
        for (String f : frames) {
            int dot = f.lastIndexOf('.');
            int colon = f.indexOf(':');
            String method = colon < 0 ? f.substring(dot + 1) : f.substring(dot + 1, colon);
            out.add(new Frame(f.substring(0, dot), method, colon < 0 ? -1 : Integer.parseInt(f.substring(colon + 1))));
        }
        return out;
    }

    @Test
    void aBarrierParksInAConditionButIsABarrier() {
        Wait w = WaitClassifier.park(stack("jdk.internal.misc.Unsafe.park", "java.util.concurrent.locks.LockSupport.park:341",
                "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.await:1623",
                "java.util.concurrent.CyclicBarrier.dowait:236", "java.util.concurrent.CyclicBarrier.await:364",
                "com.acme.Batch.step:42", "java.lang.Thread.run:840"));
        assertEquals(new Wait(WaitKind.BARRIER, "java.util.concurrent.CyclicBarrier", "com.acme.Batch.step:42"), w);
    }

    @Test
    void readAndWriteLocksAreToldApartByTheirFrames() {
        Wait read = WaitClassifier.park(stack("jdk.internal.misc.Unsafe.park", "java.util.concurrent.locks.LockSupport.park:211",
                "java.util.concurrent.locks.AbstractQueuedSynchronizer.acquire:715",
                "java.util.concurrent.locks.AbstractQueuedSynchronizer.acquireShared:1027",
                "java.util.concurrent.locks.ReentrantReadWriteLock$ReadLock.lock:738", "com.acme.Cache.get:10"));
        assertEquals(new Wait(WaitKind.READ_LOCK, "java.util.concurrent.locks.ReentrantReadWriteLock", "com.acme.Cache.get:10"), read);
        Wait write = WaitClassifier.park(stack("jdk.internal.misc.Unsafe.park",
                "java.util.concurrent.locks.ReentrantReadWriteLock$WriteLock.lock:959", "com.acme.Cache.put:20"));
        assertEquals(WaitKind.WRITE_LOCK, write.kind());
    }

    @Test
    void aQueueWaitIsAConditionAtTheQueue() {
        Wait w = WaitClassifier.park(stack("jdk.internal.misc.Unsafe.park", "java.util.concurrent.locks.LockSupport.park:341",
                "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.await:1623",
                "java.util.concurrent.LinkedBlockingQueue.take:435", "java.util.concurrent.ThreadPoolExecutor.getTask:1062"));
        assertEquals(new Wait(WaitKind.CONDITION, "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject",
                "java.util.concurrent.LinkedBlockingQueue.take:435"), w);
    }

    @Test
    void semaphoreLatchAndPhaserNameTheirPublicClass() {
        assertEquals(new Wait(WaitKind.SEMAPHORE, "java.util.concurrent.Semaphore", "a.B.c:1"), WaitClassifier.park(stack(
                "jdk.internal.misc.Unsafe.park", "java.util.concurrent.Semaphore$NonfairSync.tryAcquireShared:1",
                "java.util.concurrent.Semaphore.acquire:318", "a.B.c:1")));
        assertEquals(WaitKind.LATCH, WaitClassifier.park(stack("jdk.internal.misc.Unsafe.park",
                "java.util.concurrent.CountDownLatch.await:230", "a.B.c:1")).kind());
        assertEquals(WaitKind.PHASER, WaitClassifier.park(stack("jdk.internal.misc.Unsafe.park",
                "java.util.concurrent.Phaser$QNode.block:1133", "java.util.concurrent.ForkJoinPool.managedBlock:3434",
                "java.util.concurrent.Phaser.internalAwaitAdvance:1062", "java.util.concurrent.Phaser.arriveAndAwaitAdvance:686",
                "a.B.c:1")).kind());
    }

    @Test
    void parksWeCannotNameOrAlreadyTimedAreSkipped() {
        assertNull(WaitClassifier.park(stack("jdk.internal.misc.Unsafe.park", "java.util.concurrent.locks.LockSupport.park:211",
                "java.util.concurrent.FutureTask.awaitDone:444", "a.B.c:1")), "FutureTask.get is no primitive of ours");
        assertNull(WaitClassifier.park(stack("jdk.internal.misc.Unsafe.park", "java.util.concurrent.locks.ReentrantLock.lock:322",
                "io.lockwatch.runtime.track.LockTracker.lock:84", "a.B.c:1")), "our wrapper's own event counts it");
    }

    @Test
    void monitorWaitsAreObjectWaitsOrJoins() {
        assertEquals(new Wait(WaitKind.OBJECT_WAIT, "java.lang.Object", "a.B.c:7"), WaitClassifier.monitorWait("java.lang.Object",
                stack("java.lang.Object.wait0", "java.lang.Object.wait:375", "a.B.c:7")));
        assertEquals(new Wait(WaitKind.JOIN, "java.lang.Thread", "a.B.d:8"), WaitClassifier.monitorWait("java.lang.Thread",
                stack("java.lang.Object.wait:375", "java.lang.Thread.join:1313", "java.lang.Thread.join:1381", "a.B.d:8")));
    }

    @Test
    void aJoinThroughARuntimeWrapperIsStillAJoinAtTheApplicationSite() {
        assertEquals(new Wait(WaitKind.JOIN, "java.lang.Thread", "a.B.d:8"), WaitClassifier.monitorWait("java.lang.Thread",
                stack("java.lang.Object.wait:375", "java.lang.Thread.join:1313", "io.lockwatch.runtime.track.ThreadTracker.join:20",
                        "a.B.d:8")));
        assertNull(WaitClassifier.monitorWait("java.lang.Object", stack("java.lang.Object.wait:375",
                "jdk.jfr.internal.PlatformRecorder.periodicTask:500")), "JFR's own waits are not the application's");
    }

    @Test
    void monitorEntersNameTheMethodThatBlockedAndOursAreSkipped() {
        assertEquals(new Wait(WaitKind.MONITOR, "com.acme.Account", "com.acme.Bank.transfer:29"),
                WaitClassifier.monitorEnter("com.acme.Account", stack("com.acme.Bank.transfer:29", "com.acme.Bank.run:12")));
        assertEquals("unknown", WaitClassifier.monitorEnter("java.lang.Object", List.of()).site(), "a stack the JVM could not walk");
        assertNull(WaitClassifier.monitorEnter("java.lang.Object", stack("io.lockwatch.runtime.track.CallSites.register:24")));
        assertEquals(WaitKind.MONITOR, WaitClassifier.monitorEnter("java.lang.Object",
                stack("io.lockwatch.it.programs.X.run:3")).kind(), "lockwatch's own test programs are application code");
    }
}
