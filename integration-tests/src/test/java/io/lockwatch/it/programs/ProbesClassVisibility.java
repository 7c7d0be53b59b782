package io.lockwatch.it.programs;

/**
 * Prints, for each class name given, whether the application can load it: the agent's bundled
 * libraries must never show up in the application's namespace under their own names.
 */
public final class ProbesClassVisibility {
    public static void main(String[] args) {
        for (String name : args) {
            boolean visible;
            try {
                Class.forName(name, false, ProbesClassVisibility.class.getClassLoader());
                visible = true;
            } catch (ClassNotFoundException e) {
                visible = false;
            }
            System.out.println(name + (visible ? " visible" : " absent"));
        }
        try {
            Thread.sleep(Long.getLong("linger.millis", 0)); // lets a test scrape an idle program
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
