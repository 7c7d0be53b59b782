package io.lockwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lockwatch.it.harness.ChildJvm;
import io.lockwatch.it.harness.ChildResult;
import io.lockwatch.it.programs.PrintsAndExits;
import io.lockwatch.it.programs.SameOrderUnderLoad;
import org.junit.jupiter.api.Test;

/** The agent is invisible to the program: stdout and the exit code are what they are without it. */
class TransparencyTest {

    @Test
    void stdoutAndExitCodeAreExactlyThoseWithoutTheAgent() {
        for (String code : new String[] {"0", "3"}) {
            ChildResult without = ChildJvm.run(PrintsAndExits.class).withoutAgent().args(code).exec();
            ChildResult with = ChildJvm.run(PrintsAndExits.class).args(code).exec();
            assertEquals(without.stdout, with.stdout);
            assertEquals(without.exitCode, with.exitCode);
            assertEquals(Integer.parseInt(code), with.exitCode);
            with.assertOnlyAgentLinesOnStderr();
        }
    }

    @Test
    void aBusyMultiThreadedProgramPrintsTheSame() {
        ChildResult without = ChildJvm.run(SameOrderUnderLoad.class).withoutAgent().exec();
        ChildResult with = ChildJvm.run(SameOrderUnderLoad.class).exec().assertCleanExit();
        assertEquals(without.stdout, with.stdout);
        assertEquals("counter=400000\n", with.stdout);
    }
}
