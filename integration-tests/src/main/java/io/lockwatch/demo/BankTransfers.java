package io.lockwatch.demo;

import java.util.concurrent.CountDownLatch;

/**
 * The demo: two tellers move money between two accounts. Each transfer locks the source account, then
 * the target. Teller 1 moves a -> b while teller 2 moves b -> a: the classic lock-order inversion.
 *
 * <p>The tellers take turns (a latch makes teller 2 wait for teller 1), so this run never deadlocks; an
 * unlucky interleaving in production would. lockwatch reports the inversion anyway.
 */
public final class BankTransfers {
    static final class Account {
        private final String name;
        private long balance;

        Account(String name, long balance) {
            this.name = name;
            this.balance = balance;
        }

        @Override
        public String toString() {
            return name + "=" + balance;
        }
    }

    static void transfer(Account from, Account to, long amount) {
        synchronized (from) {
            synchronized (to) {
                from.balance -= amount;
                to.balance += amount;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Account a = new Account("alice", 100);
        Account b = new Account("bob", 100);
        CountDownLatch firstDone = new CountDownLatch(1);

        Thread teller1 = new Thread(() -> {
            transfer(a, b, 10);
            firstDone.countDown();
        }, "teller-1");
        Thread teller2 = new Thread(() -> {
            try {
                firstDone.await();
            } catch (InterruptedException e) {
                return;
            }
            transfer(b, a, 5);
        }, "teller-2");
        teller1.start();
        teller2.start();
        teller1.join();
        teller2.join();
        System.out.println("balances: " + a + ", " + b);

        // Then, for the seconds asked (the demo script asks for a few), a busy branch: four clerks post to
        // one ledger, so the live metrics have contention to show.
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 0;
        if (seconds > 0) busyBranch(seconds);
    }

    private static void busyBranch(long seconds) throws InterruptedException {
        java.util.concurrent.locks.ReentrantLock ledger = new java.util.concurrent.locks.ReentrantLock();
        Object vault = new Object();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long[] posted = new long[1];
        Thread[] clerks = new Thread[4];
        for (int i = 0; i < clerks.length; i++) {
            clerks[i] = new Thread(() -> {
                while (System.nanoTime() < end) {
                    ledger.lock();
                    try {
                        synchronized (vault) {
                            posted[0]++;
                            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // a slow posting
                        }
                    } finally {
                        ledger.unlock();
                    }
                }
            }, "clerk-" + i);
            clerks[i].start();
        }
        for (Thread clerk : clerks) clerk.join();
        System.out.println("postings: " + posted[0]);
    }
}
