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
        if (Boolean.getBoolean("await.go")) awaitGo();
    }

    /** Lets a test scrape an idle program: it returns from main once the test creates the file "go". */
    private static void awaitGo() {
        try {
            GoFile.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
