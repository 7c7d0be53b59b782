package io.lockwatch.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The classes lockwatch never instruments, each with the reason. Everything else is covered.
 */
final class IgnoreRules {
    private IgnoreRules() {}

    /** Package prefixes that are never instrumented, and why. */
    static final String[][] NEVER = {
        // Our own code: instrumenting it would make the runtime record itself.
        {"io.lockwatch.runtime.", "lockwatch's runtime records locks; it must not record itself"},
        {"io.lockwatch.agent.", "lockwatch's agent and instrumentation"},
        {"io.lockwatch.shaded.", "the Byte Buddy copy inside lockwatch"},
    };

    static ElementMatcher.Junction<TypeDescription> matcher(List<String> userExcludes) {
        ElementMatcher.Junction<TypeDescription> ignored = nameStartsWith(NEVER[0][0]);
        for (int i = 1; i < NEVER.length; i++) ignored = ignored.or(nameStartsWith(NEVER[i][0]));
        for (String prefix : userExcludes) ignored = ignored.or(nameStartsWith(prefix));
        return ignored;
    }
}
