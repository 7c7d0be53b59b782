package io.lockwatch.bench.programs;

/** Start-up: the runner times this JVM from launch to exit. */
public final class HelloWorld {
    public static void main(String[] args) {
        System.out.println("hello, world");
    }
}
