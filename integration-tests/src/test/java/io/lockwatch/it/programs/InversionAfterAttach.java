package io.lockwatch.it.programs;

/**
 * A program to attach lockwatch to while it runs. "holder" takes a lock and keeps it until the test's "go"; main
 * says "ready", waits for "go" (the test attaches the agent in between), then takes two monitors in both orders
 * on two threads, each order in a method called after the attach (a method already running when the agent
 * arrives keeps its old code: the JVM cannot change a running frame), and "holder" takes one of them while it
 * still holds the lock it took before the attach.
 */
public final class InversionAfterAttach {
    static final Object A = new Object();
    static final Object B = new Object();
    static final Object HELD_ACROSS_THE_ATTACH = new Object();

    public static void main(String[] args) throws Exception {
        Object taken = new Object();
        Thread holder = new Thread(() -> {
            synchronized (HELD_ACROSS_THE_ATTACH) {
                synchronized (taken) {
                    taken.notifyAll();
                }
                awaitGo();
                takeA();
            }
        }, "holder");
        synchronized (taken) {
            holder.start();
            taken.wait();
        }
        System.out.println("ready");
        GoFile.await();
        Staggered.steps()
                .then("first", InversionAfterAttach::aThenB)
                .then("second", InversionAfterAttach::bThenA)
                .run();
        holder.join();
        System.out.println("done");
    }

    static void aThenB() {
        synchronized (A) {
            synchronized (B) {
                work();
            }
        }
    }

    static void bThenA() {
        synchronized (B) {
            synchronized (A) {
                work();
            }
        }
    }

    static void takeA() {
        synchronized (A) {
            work();
        }
    }

    static void work() {}

    private static void awaitGo() {
        try {
            GoFile.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
