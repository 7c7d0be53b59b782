package io.lockwatch.runtime.hang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Reading the JVM's thread dump: which thread waits for which class's initialization, and which static initializers
 * each runs, on JDK 17's and 25's headers (a thread name with quotes and "#" in it; the JVM's own threads).
 */
class ClassInitDeadlocksTest {
    @Test
    void theClassEachThreadWaitsForIsReadFromTheDump() {
        String jdk17 = String.join("\n",
                "\"main\" #1 prio=5 os_prio=0 cpu=139.66ms elapsed=8.11s tid=0x00007f95fc019cd0 nid=0x48e in Object.wait()  [0x00007f96015fe000]",
                "   java.lang.Thread.State: WAITING (on object monitor)",
                "\tat java.lang.Object.wait(java.base@17.0.15/Native Method)",
                "\t- waiting on <0x000000069ea65db8> (a java.lang.Thread)",
                "",
                "\"init \"A\" #2\" #15 prio=5 os_prio=0 cpu=1.89ms elapsed=7.92s tid=0x00007f95fc3a44a0 nid=0x4a2 in Object.wait()  [0x00007f95ccda6000]",
                "   java.lang.Thread.State: RUNNABLE",
                "\tat ClinitDeadlock$A.<clinit>(ClinitDeadlock.java:10)",
                "\t- waiting on the Class initialization monitor for ClinitDeadlock$B",
                "\tat ClinitDeadlock.lambda$main$0(ClinitDeadlock.java:28)",
                "");
        String jdk25 = String.join("\n",
                "\"init-B\" #26 [1283] prio=5 os_prio=0 cpu=0.80ms elapsed=7.88s tid=0x00007fd184423580 nid=1283 in Object.wait()  [0x00007fd16441d000]",
                "   java.lang.Thread.State: RUNNABLE",
                "\tat ClinitDeadlock$B.<clinit>(ClinitDeadlock.java:18)",
                "\t- waiting on the Class initialization monitor for ClinitDeadlock$A",
                "",
                "\"VM Thread\" os_prio=0 cpu=7.23ms elapsed=8.07s tid=0x00007fd184107d30 nid=1269 runnable  ",
                "\t- waiting on the Class initialization monitor for NotAJavaThread");
        Map<Long, ClassInitDeadlocks.Dumped> threads17 = ClassInitDeadlocks.readDump(jdk17);
        assertEquals(Set.of(1L, 15L), threads17.keySet());
        assertNull(threads17.get(1L).waitsForInit);
        assertEquals(List.of(), threads17.get(1L).initializing);
        assertEquals("ClinitDeadlock$B", threads17.get(15L).waitsForInit);
        assertEquals(List.of("ClinitDeadlock$A"), threads17.get(15L).initializing);
        Map<Long, ClassInitDeadlocks.Dumped> threads25 = ClassInitDeadlocks.readDump(jdk25);
        assertEquals(Set.of(26L), threads25.keySet()); // the VM Thread has no id, and its line is not taken for #26's
        assertEquals("ClinitDeadlock$A", threads25.get(26L).waitsForInit);
        assertEquals(List.of("ClinitDeadlock$B"), threads25.get(26L).initializing);
    }
}
