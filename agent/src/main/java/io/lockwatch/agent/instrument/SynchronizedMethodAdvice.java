package io.lockwatch.agent.instrument;

import io.lockwatch.runtime.track.LockTracker;
import net.bytebuddy.asm.Advice;

/**
 * A {@code synchronized} method holds its monitor ({@code this}) for its whole body. The JVM takes it
 * before the first instruction, so we record it on entry, and release it on every exit, normal or by an
 * exception. {@code suppress} keeps any failure of ours out of the application.
 */
final class SynchronizedMethodAdvice {
    private SynchronizedMethodAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object monitor, @SiteId int site) {
        LockTracker.monitorEnter(monitor, site);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.This Object monitor) {
        LockTracker.monitorExit(monitor);
    }

    /** The same for {@code static synchronized} methods, whose monitor is the class. */
    static final class Static {
        private Static() {}

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Origin Class<?> monitor, @SiteId int site) {
            LockTracker.monitorEnter(monitor, site);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Origin Class<?> monitor) {
            LockTracker.monitorExit(monitor);
        }
    }
}
