package io.lockwatch.agent.instrument;

import net.bytebuddy.jar.asm.Opcodes;

/**
 * The method calls lockwatch replaces by calls into the runtime, in one table: the scanner uses it to
 * decide whether a class needs instrumenting, the visitor to rewrite the call.
 *
 * <p>Each rewrite keeps the operand stack as the original call left it: the receiver and arguments stay
 * where they are, the site number is pushed last, and the runtime method of the same name takes the
 * receiver as its first parameter.
 */
final class SiteRewrites {
    static final String TRACKER = "io/lockwatch/runtime/track/LockTracker";
    private static final String LOCK = "java/util/concurrent/locks/Lock";

    private SiteRewrites() {}

    /** One rewrite: the runtime method to call and whether it takes the site number. */
    static final class Rewrite {
        final String owner;
        final String name;
        final String descriptor;
        final boolean withSite;

        Rewrite(String owner, String name, String descriptor, boolean withSite) {
            this.owner = owner;
            this.name = name;
            this.descriptor = descriptor;
            this.withSite = withSite;
        }
    }

    static boolean isSite(int opcode, String owner, String name, String descriptor) {
        return rewriteFor(opcode, owner, name, descriptor) != null;
    }

    /** @return the rewrite for this call, or null when it is left alone */
    static Rewrite rewriteFor(int opcode, String owner, String name, String descriptor) {
        if ((opcode == Opcodes.INVOKEINTERFACE || opcode == Opcodes.INVOKEVIRTUAL) && isLockOwner(owner)) {
            String lockParam = "(L" + LOCK + ";";
            switch (name + descriptor) {
                case "lock()V":
                    return new Rewrite(TRACKER, "lock", lockParam + "I)V", true);
                case "lockInterruptibly()V":
                    return new Rewrite(TRACKER, "lockInterruptibly", lockParam + "I)V", true);
                case "tryLock()Z":
                    return new Rewrite(TRACKER, "tryLock", lockParam + "I)Z", true);
                case "tryLock(JLjava/util/concurrent/TimeUnit;)Z":
                    return new Rewrite(TRACKER, "tryLock", lockParam + "JLjava/util/concurrent/TimeUnit;I)Z", true);
                case "unlock()V":
                    return new Rewrite(TRACKER, "unlock", lockParam + ")V", false);
                default:
                    return null;
            }
        }
        return null;
    }

    /** The names of the methods {@link #rewriteFor} rewrites (for the skim's quick check). */
    static final String[] METHOD_NAMES = {"lock", "lockInterruptibly", "tryLock", "unlock"};

    /** The {@code java.util.concurrent.locks} lock types whose calls are rewritten. */
    static final String[] LOCK_OWNERS = {
        LOCK,
        "java/util/concurrent/locks/ReentrantLock",
        "java/util/concurrent/locks/ReentrantReadWriteLock$ReadLock",
        "java/util/concurrent/locks/ReentrantReadWriteLock$WriteLock",
    };

    /** A {@code java.util.concurrent.locks} lock type that we track. */
    static boolean isLockOwner(String owner) {
        for (String lockOwner : LOCK_OWNERS) {
            if (owner.equals(lockOwner)) return true;
        }
        return false;
    }
}
