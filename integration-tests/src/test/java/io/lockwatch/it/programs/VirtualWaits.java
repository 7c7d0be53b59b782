package io.lockwatch.it.programs;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Virtual threads that hold locks while they wait for something no thread owns, forever:
 * <ul>
 *   <li>"v-notified" holds a lock and waits on a monitor ({@code Object.wait} gives the monitor up);</li>
 *   <li>"v-signalled" holds a monitor and awaits a condition (which gives the condition's lock up);</li>
 *   <li>"v-latched" holds a monitor and awaits a latch.</li>
 * </ul>
 * With {@code args[0]} "stalls", three more virtual threads then block on what they hold: three stalls, and no
 * deadlock (each blocked thread takes the waited-on monitor or the condition's lock first: a lock-order
 * inversion, and no cycle). "v-blocked-1" takes the monitor "v-notified" gave up and blocks on its lock;
 * "v-blocked-2" takes the condition's lock and blocks on "v-signalled"'s monitor; "v-blocked-3" blocks on
 * "v-latched"'s monitor. With "quiet", nobody wants what they hold: no finding. With "platform-waiter", only
 * platform thread "p-latched" holds a monitor and awaits a latch, and virtual "v-blocked" blocks on the
 * monitor: one stall, which the JVM's snapshots cannot show (the blocked thread is virtual). With
 * "mixed-blocked", the same, and platform thread "p-blocked" blocks on the monitor too: one stall, which the
 * JVM's snapshots report, naming both blocked threads; "mixed-blocked-elsewhere" is the same with "p-blocked"
 * blocking in {@link Elsewhere} (which a test leaves uninstrumented: the block is not on lockwatch's stacks), and
 * "mixed-blocked-behind" the same as "mixed-blocked" with "v-blocked" holding a monitor on which virtual "v-behind"
 * blocks. With
 * "write-lock", "v-reader" holds a read lock and awaits a latch, and "v-writer", holding nothing, wants the
 * write lock: one stall. With
 * "busy-holder", "v-consumer" waits on a monitor ({@code Object.wait}, which gives it up), "v-busy" then holds
 * it, running, and "v-blocked" blocks on it: no stall (the holder runs; the waiter holds nothing), a long hold. With
 * "long-joins", threads wait long for others to finish their work, which is no hang: "v-grandchild" holds a monitor
 * nobody wants and awaits a latch, "v-child" holds a lock nobody wants and joins it, "v-parent" holds nothing and
 * joins "v-child"; "v-requester" holds nothing and gets the result of a task whose virtual thread holds a monitor
 * nobody wants and awaits the latch. Prints
 * "waiting" once all wait (and block), "waited" {@code args[1]} milliseconds later.
 */
public final class VirtualWaits {
    static final Object WAITED_ON = new Object();
    static final ReentrantLock HELD_BY_NOTIFIED = new ReentrantLock();
    static final Object HELD_BY_SIGNALLED = new Object();
    static final ReentrantLock CONDITION_LOCK = new ReentrantLock();
    static final Condition CONDITION = CONDITION_LOCK.newCondition();
    static final Object HELD_BY_LATCHED = new Object();
    static final Object BEHIND_V_BLOCKED = new Object();

    public static void main(String[] args) throws Exception {
        boolean stalls = args[0].equals("stalls");
        long millis = Long.parseLong(args[1]);
        if (args[0].startsWith("platform-waiter") || args[0].startsWith("mixed-blocked")) {
            platformWaiter(args[0], millis);
            return;
        }
        if (args[0].equals("write-lock")) {
            writeLock(millis);
            return;
        }
        if (args[0].equals("busy-holder")) {
            busyHolder(millis);
            return;
        }
        if (args[0].equals("long-joins")) {
            longJoins(millis);
            return;
        }
        CountDownLatch waiting = new CountDownLatch(3);
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(3);
        start("v-notified", () -> {
            HELD_BY_NOTIFIED.lock();
            synchronized (WAITED_ON) {
                waiting.countDown();
                Hang.waitForever(WAITED_ON);
            }
        });
        start("v-signalled", () -> {
            synchronized (HELD_BY_SIGNALLED) {
                CONDITION_LOCK.lock();
                waiting.countDown();
                Hang.awaitForever(CONDITION);
            }
        });
        start("v-latched", () -> {
            synchronized (HELD_BY_LATCHED) {
                waiting.countDown();
                Hang.await(never);
            }
        });
        Hang.await(waiting);
        if (!stalls) {
            sayWaitingFor(millis);
            Hang.forever();
        }
        start("v-blocked-1", () -> {
            synchronized (WAITED_ON) {
                blocking.countDown();
                HELD_BY_NOTIFIED.lock();
            }
        });
        start("v-blocked-2", () -> {
            CONDITION_LOCK.lock();
            blocking.countDown();
            synchronized (HELD_BY_SIGNALLED) {
                System.out.println("unreachable");
            }
        });
        start("v-blocked-3", () -> {
            synchronized (new Object()) { // holds something, as a member of a cycle would
                blocking.countDown();
                synchronized (HELD_BY_LATCHED) {
                    System.out.println("unreachable");
                }
            }
        });
        Hang.await(blocking);
        sayWaitingFor(millis);
        Hang.forever();
    }

    private static void platformWaiter(String mode, long millis) throws InterruptedException {
        boolean platformBlockedToo = mode.startsWith("mixed-blocked");
        boolean virtualBehind = mode.endsWith("behind");
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch((platformBlockedToo ? 2 : 1) + (virtualBehind ? 1 : 0));
        new Thread(() -> {
            synchronized (HELD_BY_LATCHED) {
                holding.countDown();
                Hang.await(new CountDownLatch(1)); // forever
            }
        }, "p-latched").start();
        Hang.await(holding);
        Runnable block = blockOn(HELD_BY_LATCHED, blocking);
        if (virtualBehind) {
            CountDownLatch taken = new CountDownLatch(1);
            start("v-blocked", () -> {
                synchronized (BEHIND_V_BLOCKED) {
                    taken.countDown();
                    block.run();
                }
            });
            Hang.await(taken);
            start("v-behind", blockOn(BEHIND_V_BLOCKED, blocking));
        } else {
            start("v-blocked", block);
        }
        if (platformBlockedToo) {
            new Thread(mode.endsWith("elsewhere") ? () -> Elsewhere.block(blocking) : block, "p-blocked").start();
        }
        Hang.await(blocking);
        sayWaitingFor(millis);
        Hang.forever();
    }

    /** Counts {@code blocking} down, then blocks on {@code monitor} for ever. */
    private static Runnable blockOn(Object monitor, CountDownLatch blocking) {
        return () -> {
            blocking.countDown();
            synchronized (monitor) {
                System.out.println("unreachable");
            }
        };
    }

    static final ReentrantReadWriteLock READ_WRITE = new ReentrantReadWriteLock();

    /** "v-reader" holds a read lock and awaits a latch; "v-writer", holding nothing, wants the write lock. */
    private static void writeLock(long millis) throws InterruptedException {
        CountDownLatch reading = new CountDownLatch(1);
        start("v-reader", () -> {
            READ_WRITE.readLock().lock();
            reading.countDown();
            Hang.await(new CountDownLatch(1)); // forever
        });
        Hang.await(reading);
        start("v-writer", () -> {
            READ_WRITE.writeLock().lock();
            System.out.println("unreachable");
        });
        sayWaitingFor(millis);
        Hang.forever();
    }

    /** Code a test can leave uninstrumented ({@code exclude=...VirtualWaits$Elsewhere}). */
    static final class Elsewhere {
        static void block(CountDownLatch blocking) {
            blocking.countDown();
            synchronized (HELD_BY_LATCHED) {
                System.out.println("unreachable");
            }
        }
    }

    /** "waiting", then {@code millis} later "waited" (the tests' cue to stop the program). */
    private static void sayWaitingFor(long millis) throws InterruptedException {
        System.out.println("waiting");
        Thread.sleep(millis);
        System.out.println("waited");
    }

    private static volatile boolean stop;

    private static void busyHolder(long millis) throws InterruptedException {
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        start("v-consumer", () -> {
            synchronized (WAITED_ON) {
                waiting.countDown();
                Hang.waitForever(WAITED_ON);
            }
        });
        Hang.await(waiting);
        start("v-busy", () -> {
            synchronized (WAITED_ON) { // free: the consumer's wait gave it up
                holding.countDown();
                while (!stop) Thread.yield();
            }
        });
        Hang.await(holding);
        start("v-blocked", () -> {
            synchronized (WAITED_ON) {
                System.out.println("got it");
            }
        });
        sayWaitingFor(millis);
        stop = true;
        Hang.forever();
    }

    private static void longJoins(long millis) throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Thread grandchild = start("v-grandchild", () -> {
            synchronized (new Object()) {
                Hang.await(never);
            }
        });
        Thread child = start("v-child", () -> {
            ReentrantLock own = new ReentrantLock();
            own.lock();
            Hang.join(grandchild);
        });
        Thread parent = start("v-parent", () -> Hang.join(child));
        ExecutorService pool = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        Thread requester = start("v-requester", () -> {
            ReentrantLock once = new ReentrantLock(); // a lock taken before: the thread is watched from it
            once.lock();
            once.unlock();
            try {
                pool.submit(() -> {
                    synchronized (new Object()) {
                        Hang.await(never);
                    }
                }).get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (Thread t : new Thread[] {grandchild, child, parent, requester}) {
            while (t.getState() != Thread.State.WAITING) Thread.sleep(10);
        }
        sayWaitingFor(millis);
        Hang.forever();
    }

    private static Thread start(String name, Runnable task) {
        Thread thread = VirtualDeadlock.virtual(name, task);
        thread.start();
        return thread;
    }
}
