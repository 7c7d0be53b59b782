package io.lockwatch.it.programs;

/** One thread takes A then B, and later B then A: it cannot deadlock with itself. */
public final class SingleThreadBothOrders {
    static final Object A = new Object();
    static final Object B = new Object();

    public static void main(String[] args) {
        synchronized (A) {
            synchronized (B) {
                System.out.println("a then b");
            }
        }
        synchronized (B) {
            synchronized (A) {
                System.out.println("b then a");
            }
        }
    }
}
