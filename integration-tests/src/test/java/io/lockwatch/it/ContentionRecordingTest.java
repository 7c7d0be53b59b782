package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.programs.ContendsEveryPrimitive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/** A JFR recording of a contended run, as JDK Mission Control or {@code jfr print} would read it. */
class ContentionRecordingTest {

    @Test
    void aRecordingHoldsOurContentionEvents() throws Exception {
        Path dir = Files.createDirectories(Paths.get(System.getProperty("lockwatch.workDir"), "recordings"));
        Path recording = Files.createTempFile(dir, "contention-" + ChildJvm.javaVersion(), ".jfr");
        ChildResult run = ChildJvm.run(ContendsEveryPrimitive.class)
                .jvmArgs("-XX:StartFlightRecording=filename=" + recording + ",settings=default")
                .args("3").exec();
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.stdout.contains("done"), run.stdout);

        List<RecordedEvent> events = RecordingFile.readAllEvents(recording);
        Set<String> lockKinds = new HashSet<>();
        Set<String> waitKinds = new HashSet<>();
        Set<String> owners = new HashSet<>();
        Set<String> lockWaiters = new HashSet<>();
        for (RecordedEvent e : events) {
            String type = e.getEventType().getName();
            if (!type.startsWith("lockwatch.")) continue;
            if (!type.equals("lockwatch.ContendedLock") && !type.equals("lockwatch.Wait")) continue;
            assertEquals(List.of("lockwatch"), e.getEventType().getCategoryNames(), type);
            assertTrue(e.getDuration().compareTo(Duration.ofMillis(10)) >= 0, "at least the default threshold: " + e);
            assertTrue(e.getClass("lockClass") != null, "lock class: " + e);
            // JDK code is instrumented too: a pool worker's wait in LinkedBlockingQueue.take is a real
            // condition wait at a JDK site. The program's own waits must be there with their own sites.
            if (!e.getString("site").startsWith(ContendsEveryPrimitive.class.getName() + ".")) continue;
            if (type.equals("lockwatch.ContendedLock")) {
                lockKinds.add(e.getString("kind"));
                RecordedThread owner = e.getThread("owner");
                if (owner != null) owners.add(owner.getJavaName());
                if (e.getThread() != null) lockWaiters.add(e.getThread().getJavaName());
            } else {
                waitKinds.add(e.getString("kind"));
            }
        }
        assertEquals(Set.of("reentrant_lock", "read_lock", "write_lock"), lockKinds, "contended locks");
        assertEquals(Set.of("condition", "semaphore", "latch", "barrier", "phaser"), waitKinds, "owner-less waits");
        assertTrue(owners.stream().anyMatch(n -> n.startsWith("lock-") || n.equals("condition-waiter")),
                "a ReentrantLock wait names the thread that held the lock: " + owners);
        assertTrue(lockWaiters.contains("lock-leaf"), "a leaf section's contended lock() is timed too: " + lockWaiters);
    }
}
