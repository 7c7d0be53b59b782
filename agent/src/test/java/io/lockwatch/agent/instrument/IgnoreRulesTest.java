package io.lockwatch.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The never-instrumented list stays short and reasoned, and everything else is covered. */
class IgnoreRulesTest {

    @Test
    void everyRuleHasAReason() {
        for (String[] rule : IgnoreRules.NEVER) {
            assertTrue(rule.length == 2 && !rule[1].isBlank(), "rule without a reason: " + rule[0]);
        }
        assertTrue(IgnoreRules.NEVER.length <= 12, "the list is meant to stay short");
    }

    @Test
    void lockwatchItselfIsNeverInstrumented() {
        assertTrue(IgnoreRules.ignores("io.lockwatch.runtime.track.LockTracker", List.of()));
        assertTrue(IgnoreRules.ignores("io.lockwatch.agent.instrument.LockSiteFilter", List.of()));
        assertTrue(IgnoreRules.ignores("io.lockwatch.shaded.bytebuddy.jar.asm.ClassReader", List.of()));
        assertTrue(IgnoreRules.ignores("java.lang.ThreadLocal$ThreadLocalMap", List.of()));
    }

    @Test
    void jdkLibraryAndApplicationClassesAreCovered() {
        for (String covered : new String[] {"java.lang.StringBuffer", "java.util.Vector", "java.util.Hashtable",
                "java.util.Collections$SynchronizedCollection", "java.util.logging.StreamHandler", "java.io.PrintStream",
                "java.util.concurrent.ConcurrentHashMap", "org.apache.log4j.Category", "com.acme.Service",
                "io.lockwatch.demo.BankTransfers"}) {
            assertFalse(IgnoreRules.ignores(covered, List.of()), covered + " must be instrumented");
        }
    }

    @Test
    void userExcludesNarrowCoverage() {
        assertTrue(IgnoreRules.ignores("com.acme.generated.Proxy1", List.of("com.acme.generated.")));
        assertFalse(IgnoreRules.ignores("com.acme.Service", List.of("com.acme.generated.")));
    }
}
