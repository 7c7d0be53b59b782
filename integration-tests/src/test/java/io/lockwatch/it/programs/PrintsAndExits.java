package io.lockwatch.it.programs;

/** Prints known lines to stdout and exits with a chosen code: the agent must change neither. */
public final class PrintsAndExits {
    public static void main(String[] args) {
        Object lock = new Object();
        for (int i = 0; i < 3; i++) {
            synchronized (lock) {
                System.out.println("line " + i);
            }
        }
        System.out.print("no newline at the end");
        System.exit(args.length > 0 ? Integer.parseInt(args[0]) : 0);
    }
}
