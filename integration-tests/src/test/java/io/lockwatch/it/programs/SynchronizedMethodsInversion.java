package io.lockwatch.it.programs;

/** synchronized methods of two instances of one class calling each other: a.transferTo(b) against b.transferTo(a). */
public final class SynchronizedMethodsInversion {
    static final class Account {
        private long balance = 100;

        synchronized void transferTo(Account other, long amount) {
            balance -= amount;
            other.deposit(amount);
        }

        synchronized void deposit(long amount) {
            balance += amount;
        }
    }

    public static void main(String[] args) throws Exception {
        Account a = new Account();
        Account b = new Account();
        Staggered.steps()
                .then("a-to-b", () -> a.transferTo(b, 10))
                .then("b-to-a", () -> b.transferTo(a, 10))
                .run();
        System.out.println("done");
    }
}
