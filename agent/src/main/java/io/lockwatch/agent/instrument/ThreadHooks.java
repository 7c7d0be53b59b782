package io.lockwatch.agent.instrument;

import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Hooks in {@code java.lang.Thread} itself, for happens-before between threads: {@code start} and
 * {@code exit} (the JVM calls it as a thread ends) report on entry, {@code join} on every normal return.
 * Hooking the methods, not their callers, covers thread pools and the JDK's own threads too.
 *
 * <p>The hang detector's checks sit here as well: on entry of {@code start} (a thread that is not new is
 * started again: the method then throws its own IllegalThreadStateException, untouched) and of
 * {@code join} (a thread joining itself waits forever), see {@code ThreadCalls}.
 *
 * <p>A virtual thread (JDK 21 and later) starts in {@code VirtualThread.start(ThreadContainer)}, which overrides
 * Thread's, so that method gets the start hooks too; its joins go through Thread's {@code join}. It ends without
 * {@code Thread.exit}: its joiners find its segment as it last changed ({@code SegmentGraph.moveTo}).
 *
 * <p>{@code VirtualThread.park} and {@code parkNanos} (every park and sleep of a virtual thread goes through one) report
 * on entry, and so does {@code VirtualThread.afterYield}, which runs on the carrier after every unmount: on JDK 24 and
 * later an {@code Object.wait} and a blocked monitor enter unmount without a park. The hang detector tells one long wait
 * of a virtual thread from many short ones by that count, as the JVM's snapshots do a platform thread's
 * ({@code ThreadCalls.parking}). A park that unmounts is counted twice, which changes nothing: a changed count is a new
 * wait; a park that pins (JDK 21's {@code synchronized}) does not unmount and is counted once.
 *
 * <p>{@code jdk.internal.misc.Blocker.begin()} reports on entry too: a virtual thread that blocks while it keeps its
 * carrier calls it first (JDK 21 to 23's {@code Object.wait}, which neither parks nor unmounts it; file I/O on any
 * JDK), and is counted as for a park. Without it, a virtual thread that held a lock across short monitor waits, again
 * and again, was one long wait on JDK 21, a stall.
 *
 * <p>{@code FutureTask.get} (both overloads, and so every executor's futures that extend it) reports on entry: a
 * virtual thread that waits for a task's result is watched by the hang detector from then on, as one that joins a
 * virtual thread is, whatever it did before ({@code ThreadCalls.gettingResult}).
 */
final class ThreadHooks {
    static final String THREAD = "java/lang/Thread";
    static final String VIRTUAL_THREAD = "java/lang/VirtualThread";
    /** The descriptor of {@code VirtualThread.start(ThreadContainer)}, which its {@code start()} calls. */
    static final String VIRTUAL_THREAD_START = "(Ljdk/internal/vm/ThreadContainer;)V";
    static final String FUTURE_TASK = "java/util/concurrent/FutureTask";
    /** Whose {@code begin()} a virtual thread calls before it blocks on its carrier (JDK 21 and later). */
    static final String BLOCKER = "jdk/internal/misc/Blocker";
    static final String THREAD_CALLS = "io/lockwatch/runtime/track/ThreadCalls";

    private ThreadHooks() {}

    /** How many calls the hooks put into the method (each adds one to its stack); 0: none. */
    static int calls(String owner, String name, String descriptor) {
        if (owner.equals(VIRTUAL_THREAD)) {
            if (name.equals("start")) return descriptor.equals(VIRTUAL_THREAD_START) ? 2 : 0;
            return countsAWait(name, descriptor) ? 1 : 0;
        }
        if (owner.equals(FUTURE_TASK)) return name.equals("get") ? 1 : 0;
        // begin() returns the compensation to undo (JDK 21: a long; JDK 25: a boolean); begin(boolean) is not hooked.
        if (owner.equals(BLOCKER)) return name.equals("begin") && (descriptor.equals("()J") || descriptor.equals("()Z")) ? 1 : 0;
        if (!owner.equals(THREAD)) return 0;
        switch (name) {
            case "start":
            case "join":
                return 2; // start: two calls on entry; join: one on entry, one before each return
            case "exit":
                return 1;
            default:
                return 0;
        }
    }

    /**
     * {@code VirtualThread}'s {@code park()} and {@code parkNanos(long)}, which {@code BaseVirtualThread} declares, and its
     * private {@code afterYield()} (JDK 19 to 25; a JDK that renames it leaves only the parks counted).
     */
    static boolean countsAWait(String name, String descriptor) {
        switch (name) {
            case "park":
            case "afterYield":
                return descriptor.equals("()V");
            case "parkNanos":
                return descriptor.equals("(J)V");
            default:
                return false;
        }
    }

    /** One static call a hook makes on entry of a hooked method: with the thread ({@code this}) or with nothing. */
    static final class EntryCall {
        final String owner;
        final String hook;
        final boolean passThread;

        private EntryCall(String owner, String hook, boolean passThread) {
            this.owner = owner;
            this.hook = hook;
            this.passThread = passThread;
        }

        String descriptor() {
            return passThread ? "(Ljava/lang/Thread;)V" : "()V";
        }
    }

    private static final EntryCall[] ON_START = {new EntryCall(SiteRewrites.TRACKER, "threadStarting", true),
            new EntryCall(THREAD_CALLS, "starting", true)};
    private static final EntryCall[] ON_EXIT = {new EntryCall(SiteRewrites.TRACKER, "threadExiting", false)};
    private static final EntryCall[] ON_GET = {new EntryCall(THREAD_CALLS, "gettingResult", false)};
    private static final EntryCall[] ON_PARK = {new EntryCall(THREAD_CALLS, "parking", true)};
    private static final EntryCall[] ON_JOIN = {new EntryCall(THREAD_CALLS, "joining", true)};
    private static final EntryCall[] ON_BLOCK = {new EntryCall(THREAD_CALLS, "blocking", false)};
    private static final EntryCall[] NONE = {};

    /**
     * The calls on entry of a method that {@link #calls} hooks, in order, for both ways of instrumenting it (this
     * class's visitor and {@code ClassFileRewriter}); none for any other name. {@code join} also calls
     * {@code threadJoined} before each return.
     */
    static EntryCall[] entryCalls(String methodName) {
        switch (methodName) {
            case "start":
                return ON_START;
            case "exit":
                return ON_EXIT;
            case "get": // FutureTask's
                return ON_GET;
            case "park": // VirtualThread's
            case "parkNanos":
            case "afterYield":
                return ON_PARK;
            case "join":
                return ON_JOIN;
            case "begin": // Blocker's
                return ON_BLOCK;
            default:
                return NONE;
        }
    }

    static MethodVisitor wrap(MethodVisitor mv, String methodName) {
        EntryCall[] calls = entryCalls(methodName);
        MethodVisitor hooked = calls.length == 0 ? mv : onEntry(mv, calls);
        if (!methodName.equals("join")) return hooked;
        return new MethodVisitor(Opcodes.ASM9, hooked) {
            @Override
            public void visitInsn(int opcode) {
                if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, SiteRewrites.TRACKER, "threadJoined",
                            "(Ljava/lang/Thread;)V", false);
                }
                super.visitInsn(opcode);
            }

            @Override
            public void visitMaxs(int maxStack, int maxLocals) {
                super.visitMaxs(maxStack + 1, maxLocals);
            }
        };
    }

    private static MethodVisitor onEntry(MethodVisitor mv, EntryCall[] calls) {
        return new MethodVisitor(Opcodes.ASM9, mv) {
            @Override
            public void visitCode() {
                super.visitCode();
                for (EntryCall call : calls) {
                    if (call.passThread) super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, call.owner, call.hook, call.descriptor(), false);
                }
            }

            @Override
            public void visitMaxs(int maxStack, int maxLocals) {
                super.visitMaxs(maxStack + calls.length, maxLocals); // one a call, as calls() counts them
            }
        };
    }
}
