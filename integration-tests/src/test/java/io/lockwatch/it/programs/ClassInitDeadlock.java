package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Two threads deadlocked in static initializers: "init-a" initializes {@code A}, whose initializer uses {@code B};
 * "init-b" initializes {@code B}, whose initializer uses {@code A}. Each waits for the other's class forever; no
 * lock is held, and the JVM shows both as RUNNABLE. Prints "waiting" once both are inside their initializers;
 * never ends.
 *
 * <p>With "lock", a class's initialization and a lock: "lock-holder" holds {@code LOCK} and then uses {@code C};
 * "init-c" initializes {@code C}, whose initializer takes {@code LOCK}. The first waits for C's initialization
 * (RUNNABLE), the second for the lock (BLOCKED): the JVM's search sees a thread blocked on a running one.
 *
 * <p>With "task", {@code Tasked}'s static initializer, run by "init-tasked", submits a task to a pool of one
 * thread ("pool-worker") and waits for it; the task calls a method of {@code Tasked}, so it waits for the
 * class's initialization: the initializer waits for the task, the task for the initializer (no cycle the JVM
 * can see: the initializer waits on a future that nobody owns). Prints "waiting"; never ends.
 *
 * <p>With "slow", no cycle: "init-a" in {@code A}'s initializer and "init-b" in {@code B}'s both wait for
 * {@code Slow}, whose initializer "init-slow" runs for 5 s (B waits for A, A for Slow). Prints "waiting", then
 * "done" once Slow, A and B are initialized.
 */
public final class ClassInitDeadlock {
    static final CountDownLatch insideInitializers = new CountDownLatch(2);
    static volatile boolean slowMode;

    static final class A {
        static final int VALUE;

        static {
            arrive();
            VALUE = (slowMode ? Slow.VALUE : B.VALUE) + 1;
        }
    }

    static final class B {
        static final int VALUE;

        static {
            arrive();
            VALUE = A.VALUE + 1;
        }
    }

    static final Object LOCK = new Object();

    static final class C {
        static final int VALUE;

        static {
            arrive();
            synchronized (LOCK) {
                VALUE = 1;
            }
        }
    }

    static final ExecutorService POOL = Executors.newSingleThreadExecutor(r -> new Thread(r, "pool-worker"));

    static final class Tasked {
        static final int VALUE = fromThePool();

        private static int fromThePool() {
            try {
                return POOL.submit(Tasked::half).get();
            } catch (InterruptedException | ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        static int half() {
            return 21;
        }
    }

    static final class Slow {
        static final int VALUE;

        static {
            sleep(5000);
            VALUE = 1;
        }
    }

    public static void main(String[] args) throws Exception {
        slowMode = args.length > 0 && args[0].equals("slow");
        if (args.length > 0 && args[0].equals("task")) {
            new Thread(() -> System.out.println("tasked " + Tasked.VALUE), "init-tasked").start();
            System.out.println("waiting");
            return; // the two threads never end, nor does the JVM (the pool's thread is not a daemon)
        }
        if (args.length > 0 && args[0].equals("lock")) {
            new Thread(() -> {
                synchronized (LOCK) {
                    arrive();
                    System.out.println("c " + C.VALUE);
                }
            }, "lock-holder").start();
            new Thread(() -> System.out.println("c " + C.VALUE), "init-c").start();
            insideInitializers.await();
            System.out.println("waiting");
            return; // the two threads never end, nor does the JVM
        }
        Thread slow = new Thread(() -> System.out.println("slow " + Slow.VALUE), "init-slow");
        if (slowMode) {
            slow.start();
            sleep(200); // Slow's initializer is running before A's asks for it
        }
        Thread a = new Thread(() -> System.out.println("a " + A.VALUE), "init-a");
        Thread b = new Thread(() -> System.out.println("b " + B.VALUE), "init-b");
        a.start();
        if (slowMode) {
            // A's initializer must be init-a's before init-b asks for B, or init-b, finding A not yet initialized,
            // would run A's initializer itself and be the one waiting for Slow.
            while (insideInitializers.getCount() == 2) Thread.onSpinWait();
            insideInitializers.countDown(); // B's initializer is reached through A's here
        }
        b.start();
        insideInitializers.await();
        System.out.println("waiting");
        a.join();
        b.join();
        if (slowMode) slow.join();
        System.out.println("done");
    }

    /** Both threads inside their initializers before either uses the other class. */
    private static void arrive() {
        insideInitializers.countDown();
        try {
            insideInitializers.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
