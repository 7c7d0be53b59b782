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
    static final String OBJECT = "Ljava/lang/Object;";
    private static final String REENTRANT_LOCK = "java/util/concurrent/locks/ReentrantLock";
    private static final String STAMPED_LOCK = "java/util/concurrent/locks/StampedLock";
    private static final String STAMPED = "(L" + STAMPED_LOCK + ";";
    private static final String TIME_UNIT = "Ljava/util/concurrent/TimeUnit;";

    /**
     * A leaf section's entry (see {@code LockTracker.leafEntry}): with the monitor on the stack,
     * {@code threadState(state)} kept in the state local, {@code leafEntry(state)} swapped under the monitor,
     * then the site and the state, and {@code LeafEntry.enter} called virtually, so that the JIT profiles
     * the receiver at each site rather than a branch once for the whole JVM.
     */
    static final String THREAD_STATE = "threadState";
    static final String THREAD_STATE_DESCRIPTOR = "(Ljava/lang/Object;)Ljava/lang/Object;";
    static final String LEAF_ENTRY = "leafEntry";
    static final String LEAF_ENTRY_CLASS = "io/lockwatch/runtime/track/LeafEntry";
    static final String LEAF_ENTRY_DESCRIPTOR = "(Ljava/lang/Object;)L" + LEAF_ENTRY_CLASS + ";";
    static final String LEAF_ENTER = "enter";
    static final String LEAF_ENTER_DESCRIPTOR = "(Ljava/lang/Object;ILjava/lang/Object;)V";

    private SiteRewrites() {}

    /**
     * The class whose {@code synchronized} blocks all lock its bins (entries heading a bin of its table).
     * Its monitor entries call {@code LockTracker.binMonitorEnter(bin, this, site, state)}, so that the graph
     * sees one lock per map, its bins, rather than one per entry (see there).
     */
    private static final String BIN_LOCKING_CLASS = "java.util.concurrent.ConcurrentHashMap";
    private static final String MONITOR_ENTER_DESCRIPTOR = "(Ljava/lang/Object;ILjava/lang/Object;)Ljava/lang/Object;";
    private static final String BIN_MONITOR_ENTER_DESCRIPTOR =
            "(Ljava/lang/Object;Ljava/lang/Object;ILjava/lang/Object;)Ljava/lang/Object;";

    /**
     * Do the monitor entries of this method lock one of many objects that stand for one lock of {@code this}:
     * bins of {@code this} map, or class-loading locks of {@code this} loader? Only in an instance method that
     * keeps {@code this} in local 0, and with a state local to pass along. The names are checked first: every
     * method of every other class is done after two or three string comparisons, building no string.
     */
    static boolean locksPartOfThis(String className, boolean isStatic, boolean hasState, boolean thisOverwritten,
                             String name) {
        if (!className.equals(BIN_LOCKING_CLASS) && !locksClassLoadingLock(className, name)) return false;
        return !isStatic && hasState && !thisOverwritten;
    }

    /**
     * The JDK's loader methods whose {@code synchronized} blocks lock {@code getClassLoadingLock(name)}
     * ({@code ClassLoader.loadClass}, both the class path's and the module's, and the builtin loaders'
     * {@code loadClassOrNull}): a fresh object per class name in a parallel-capable loader, the loader itself
     * in any other, which the runtime then keeps as the loader's own monitor (the object locked is the
     * identity; see {@code LockKinds.part}). {@code ClassFileRewriterTest} checks that these are their only blocks.
     */
    private static boolean locksClassLoadingLock(String className, String name) {
        return (className.equals("java.lang.ClassLoader") && name.equals("loadClass"))
                || (className.equals("jdk.internal.loader.BuiltinClassLoader") && name.equals("loadClassOrNull"));
    }

    /**
     * The tracker's entry before a {@code monitorenter} that is no leaf's (see {@link #LEAF_ENTRY}), in a
     * method with a state local: a part of {@code this} (a bin of this map or a class-loading lock of this
     * loader, which the rewrite pushes after the object locked) or an ordinary one. A bin is the map's bins
     * even where its section is a leaf (none of the map's blocks is one today): tracked as its own object
     * there, it would be another lock than the same map's bins at every other block.
     */
    static String monitorEntry(boolean partOfThis) {
        return partOfThis ? "binMonitorEnter" : "monitorEnter";
    }

    static String monitorEntryDescriptor(boolean partOfThis) {
        return partOfThis ? BIN_MONITOR_ENTER_DESCRIPTOR : MONITOR_ENTER_DESCRIPTOR;
    }

    /** One rewrite: the runtime method to call and whether it takes the site number. */
    static final class Rewrite {
        final String owner;
        final String name;
        final String descriptor;
        final boolean withSite;
        /**
         * The same runtime method's variant that also takes the thread's state from a local variable of the
         * calling method and (for an acquisition) returns it to be kept there; null when there is none.
         */
        final String stateDescriptor;

        Rewrite(String owner, String name, String descriptor, boolean withSite) {
            this(owner, name, descriptor, withSite, null);
        }

        Rewrite(String owner, String name, String descriptor, boolean withSite, String stateDescriptor) {
            this.owner = owner;
            this.name = name;
            this.descriptor = descriptor;
            this.withSite = withSite;
            this.stateDescriptor = stateDescriptor;
        }

        /** The descriptor of {@code leafLockUnder} for this lock type: the lock, the nest's lock, two sites, the state. */
        String underNestDescriptor() {
            String lockParam = stateDescriptor.substring(0, stateDescriptor.indexOf(';') + 1);
            return lockParam + OBJECT + "II" + OBJECT + ")" + OBJECT;
        }

        /** Does the state variant return the state (to be stored back into the local)? */
        boolean returnsState() {
            return stateDescriptor != null && stateDescriptor.endsWith(")" + OBJECT);
        }
    }

    static boolean isSite(int opcode, String owner, String name, String descriptor) {
        return rewriteFor(opcode, owner, name, descriptor) != null;
    }

    /** @return the rewrite for this call, or null when it is left alone */
    static Rewrite rewriteFor(int opcode, String owner, String name, String descriptor) {
        if (owner.equals(STAMPED_LOCK)) return opcode == Opcodes.INVOKEVIRTUAL ? stampedLockRewrite(name + descriptor) : null;
        if ((opcode == Opcodes.INVOKEINTERFACE || opcode == Opcodes.INVOKEVIRTUAL) && isLockOwner(owner)) {
            // ReentrantLock's own lock/unlock get wrappers of their own: short enough for the JIT to inline.
            String lockParam = "(L" + (owner.equals(REENTRANT_LOCK) && (name.equals("lock") || name.equals("unlock"))
                    ? REENTRANT_LOCK : LOCK) + ";";
            switch (name + descriptor) {
                case "lock()V":
                    return new Rewrite(TRACKER, "lock", lockParam + "I)V", true, lockParam + "I" + OBJECT + ")" + OBJECT);
                case "lockInterruptibly()V":
                    return new Rewrite(TRACKER, "lockInterruptibly", lockParam + "I)V", true);
                case "tryLock()Z":
                    return new Rewrite(TRACKER, "tryLock", lockParam + "I)Z", true);
                case "tryLock(JLjava/util/concurrent/TimeUnit;)Z":
                    return new Rewrite(TRACKER, "tryLock", lockParam + "JLjava/util/concurrent/TimeUnit;I)Z", true);
                case "unlock()V":
                    return new Rewrite(TRACKER, "unlock", lockParam + ")V", false, lockParam + OBJECT + ")V");
                default:
                    return null;
            }
        }
        return null;
    }

    /**
     * A {@code StampedLock} call: the tracker's method of the same name, with the lock first and the stamp and
     * arguments after it as the call had them, and the site last for those that take a lock. Its optimistic reads
     * ({@code tryOptimisticRead}, {@code validate}) take no lock and are left alone.
     */
    private static Rewrite stampedLockRewrite(String call) {
        switch (call) {
            case "writeLock()J":
            case "readLock()J":
            case "writeLockInterruptibly()J":
            case "readLockInterruptibly()J":
            case "tryWriteLock()J":
            case "tryReadLock()J":
                return new Rewrite(TRACKER, call.substring(0, call.indexOf('(')), STAMPED + "I)J", true);
            case "tryWriteLock(J" + TIME_UNIT + ")J":
            case "tryReadLock(J" + TIME_UNIT + ")J":
                return new Rewrite(TRACKER, call.substring(0, call.indexOf('(')), STAMPED + "J" + TIME_UNIT + "I)J", true);
            case "tryConvertToWriteLock(J)J":
            case "tryConvertToReadLock(J)J":
                return new Rewrite(TRACKER, call.substring(0, call.indexOf('(')), STAMPED + "JI)J", true);
            case "tryConvertToOptimisticRead(J)J":
                return new Rewrite(TRACKER, "tryConvertToOptimisticRead", STAMPED + "J)J", false);
            case "unlockWrite(J)V":
            case "unlockRead(J)V":
            case "unlock(J)V":
                return new Rewrite(TRACKER, call.substring(0, call.indexOf('(')), STAMPED + "J)V", false);
            case "tryUnlockWrite()Z":
            case "tryUnlockRead()Z":
                return new Rewrite(TRACKER, call.substring(0, call.indexOf('(')), STAMPED + ")Z", false);
            default:
                return null;
        }
    }

    /** The names of the methods {@link #rewriteFor} rewrites (for the skim's quick check). */
    static final String[] METHOD_NAMES = {"lock", "lockInterruptibly", "tryLock", "unlock",
        "writeLock", "readLock", "writeLockInterruptibly", "readLockInterruptibly", "tryWriteLock", "tryReadLock",
        "tryConvertToWriteLock", "tryConvertToReadLock", "tryConvertToOptimisticRead", "unlockWrite", "unlockRead",
        "tryUnlockWrite", "tryUnlockRead"};

    /** The {@code java.util.concurrent.locks} lock types whose calls are rewritten. */
    static final String[] LOCK_OWNERS = {
        LOCK,
        REENTRANT_LOCK,
        "java/util/concurrent/locks/ReentrantReadWriteLock$ReadLock",
        "java/util/concurrent/locks/ReentrantReadWriteLock$WriteLock",
        STAMPED_LOCK,
    };

    /** A {@code java.util.concurrent.locks} lock type that we track. */
    static boolean isLockOwner(String owner) {
        for (String lockOwner : LOCK_OWNERS) {
            if (owner.equals(lockOwner)) return true;
        }
        return false;
    }
}
