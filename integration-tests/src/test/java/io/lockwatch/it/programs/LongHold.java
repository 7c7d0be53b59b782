package io.lockwatch.it.programs;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lock held by a thread that runs, and threads piling up behind it: no deadlock, no owner-less wait, yet nothing
 * behind the holder moves for as long as it runs.
 * <ul>
 *   <li>{@code io} (the default): "io-holder" holds CACHE while it waits in {@code ServerSocket.accept()} for a
 *       connection that never comes (a remote call without a timeout, under a lock). "request-1" is blocked on
 *       CACHE; "request-2" holds SESSION and is blocked on CACHE; "behind" is blocked on SESSION, behind
 *       "request-2".</li>
 *   <li>{@code busy}: "busy-holder" holds a {@code ReentrantLock} and spins in Java code; "waiter" waits for it.</li>
 *   <li>{@code busy-virtual}: the same with two virtual threads (JDK 21 and later); {@code busy-virtual-monitor}: with
 *       the monitor of CACHE instead of the {@code ReentrantLock}.</li>
 *   <li>{@code busy-virtual-waiter}, {@code busy-virtual-waiter-monitor}: a platform holder, a virtual waiter.</li>
 *   <li>{@code busy-two-waiters}: a platform holder of the {@code ReentrantLock}, a platform "waiter" and a virtual
 *       "virtual-waiter".</li>
 *   <li>{@code no-carrier} (run with {@code -Djdk.virtualThreadScheduler.parallelism=1}): the virtual "holder" of
 *       the {@code ReentrantLock} is ready to run but never gets a carrier, as the virtual "hog" spins on the only one;
 *       the virtual "waiter" waits for the lock. {@code no-carrier-monitor} (JDK 24 and later): the holder was blocked
 *       on the monitor of CACHE, which is then freed for it; ready to enter it, it never runs. The virtual "late",
 *       blocked on CACHE after it, stays blocked: CACHE is free, and the holder's turn is first.</li>
 *   <li>{@code yielding} (also with one carrier): the virtual "holder" of the {@code ReentrantLock} yields in a loop
 *       among nine virtual threads that do the same, so it is unmounted most of the time, yet runs again and again;
 *       the virtual "waiter" waits for the lock.</li>
 * </ul>
 * Prints "started" once every thread has been started, then waits for ever.
 */
public final class LongHold {
    static final Object CACHE = new Object();
    static final Object SESSION = new Object();
    static final ReentrantLock POOL = new ReentrantLock();
    static volatile boolean stop;

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "io";
        CountDownLatch holding = new CountDownLatch(1);
        Thread holder;
        if (mode.startsWith("no-carrier")) {
            holder = noCarrier(holding, mode.endsWith("-monitor"));
        } else if (mode.equals("yielding")) {
            holder = yielding(holding);
        } else if (mode.startsWith("busy")) {
            boolean virtualHolder = mode.equals("busy-virtual") || mode.equals("busy-virtual-monitor");
            boolean virtualWaiter = mode.startsWith("busy-virtual");
            boolean monitor = mode.endsWith("-monitor");
            holder = start("busy-holder", virtualHolder, () -> {
                if (monitor) {
                    synchronized (CACHE) {
                        spin(holding);
                    }
                } else {
                    POOL.lock();
                    spin(holding);
                }
            });
            Runnable waiter = () -> {
                Hang.await(holding);
                if (monitor) {
                    synchronized (CACHE) {
                        System.out.println("waiter served");
                    }
                } else {
                    POOL.lock();
                }
            };
            start("waiter", virtualWaiter, waiter);
            if (mode.equals("busy-two-waiters")) start("virtual-waiter", true, waiter);
        } else {
            holder = start("io-holder", () -> {
                synchronized (CACHE) {
                    holding.countDown();
                    try (ServerSocket server = new ServerSocket(0)) {
                        server.accept();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            CountDownLatch sessionHeld = new CountDownLatch(1);
            start("request-1", () -> {
                Hang.await(holding);
                synchronized (CACHE) {
                    System.out.println("request-1 served");
                }
            });
            start("request-2", () -> {
                synchronized (SESSION) {
                    sessionHeld.countDown();
                    Hang.await(holding);
                    synchronized (CACHE) {
                        System.out.println("request-2 served");
                    }
                }
            });
            start("behind", () -> {
                Hang.await(sessionHeld);
                synchronized (SESSION) {
                    System.out.println("behind served");
                }
            });
        }
        System.out.println("started");
        holder.join();
    }

    /**
     * The holder takes the lock and parks, or blocks on CACHE (held here); once the waiter is queued on the lock and the
     * hog has the scheduler's only carrier, the holder is unparked, or CACHE freed: ready to run from then on, and
     * never run.
     */
    private static Thread noCarrier(CountDownLatch holding, boolean monitor) throws Exception {
        Thread holder;
        synchronized (CACHE) {
            holder = start("holder", true, () -> {
                POOL.lock();
                holding.countDown();
                if (monitor) {
                    synchronized (CACHE) {
                        System.out.println("holder entered CACHE");
                    }
                }
                while (!stop) LockSupport.park();
            });
            startVirtualWaiter(holding);
            Thread.State parked = monitor ? Thread.State.BLOCKED : Thread.State.WAITING;
            while (!POOL.hasQueuedThreads() || holder.getState() != parked) Thread.sleep(10);
            if (monitor) {
                Thread late = start("late", true, () -> {
                    synchronized (CACHE) {
                        System.out.println("late entered CACHE");
                    }
                });
                while (late.getState() != Thread.State.BLOCKED) Thread.sleep(10);
            }
            CountDownLatch hogging = new CountDownLatch(1);
            start("hog", true, () -> spin(hogging));
            Hang.await(hogging);
            LockSupport.unpark(holder);
        }
        return holder;
    }

    /**
     * The holder takes the lock, then yields in turn with the others (all virtual), on one carrier. None yields before
     * all have started and wait: a virtual thread that yields keeps its carrier from those started after it (JDK 25).
     */
    private static Thread yielding(CountDownLatch holding) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        Runnable yieldForEver = () -> {
            Hang.await(go);
            while (!stop) Thread.yield();
        };
        List<Thread> yielders = new ArrayList<>();
        yielders.add(start("holder", true, () -> {
            POOL.lock();
            holding.countDown();
            yieldForEver.run();
        }));
        startVirtualWaiter(holding);
        for (int i = 0; i < 9; i++) yielders.add(start("yielder-" + i, true, yieldForEver));
        while (!POOL.hasQueuedThreads() || !yielders.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
            Thread.sleep(10);
        }
        go.countDown();
        return yielders.get(0);
    }

    /** The virtual "waiter", which waits for the lock once the holder has it. */
    private static void startVirtualWaiter(CountDownLatch holding) throws ReflectiveOperationException {
        start("waiter", true, () -> {
            Hang.await(holding);
            POOL.lock();
        });
    }

    private static void spin(CountDownLatch holding) {
        holding.countDown();
        long spins = 0;
        while (!stop) spins++;
        System.out.println(spins);
    }

    private static Thread start(String name, Runnable body) throws ReflectiveOperationException {
        return start(name, false, body);
    }

    private static Thread start(String name, boolean virtual, Runnable body) throws ReflectiveOperationException {
        Thread t = VirtualThreads.unstarted(name, virtual, body);
        t.start();
        return t;
    }
}
