package io.lockwatch.agent.instrument;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The classes of the JDK that take a lock, listed per feature release in the agent jar
 * ({@code jdk-lock-classes-17.txt}, ...). {@code premain} picks the early classes to retransform from this
 * list by name: reading and skimming the class files of the 700 to 800 classes loaded before the agent
 * cost a hello world about 50 ms of its start-up (bench/PERFORMANCE-ROUNDS.md, "Sixteenth round").
 *
 * <p>A list is read off one JDK build ({@code JdkLockClassesTest} writes it, and checks it against the JDK of
 * every test run); it names that build in a {@code #build} line. On that build it is exact. On another build
 * of the release (an update may add a lock somewhere), the early classes the list covers but does not name
 * are still read and skimmed, after {@code premain}, on lockwatch's own thread ({@link UnlistedClassCheck}),
 * and any that takes a lock is retransformed then. On a release with no list of its own, the lists of all
 * releases together stand in, with the same check.
 */
public final class JdkLockClasses {
    /** The releases with a list of their own. */
    static final int[] RELEASES = {17, 21, 25};

    /** The modules a list speaks for: where the classes loaded before {@code premain} come from. */
    static final List<String> MODULES = List.of("java.base", "java.instrument");

    /** Starts the line that names the build a list was read off: {@code #build <java.vm.vendor> <java.runtime.version>}. */
    static final String BUILD_LINE = "#build ";

    private final Set<String> names;
    private final Set<String> builds;

    private JdkLockClasses(Set<String> names, Set<String> builds) {
        this.names = names;
        this.builds = builds;
    }

    static String entry(int release) {
        return "io/lockwatch/agent/instrument/jdk-lock-classes-" + release + ".txt";
    }

    /** The running JDK's feature release, from a property (parsing {@code Runtime.version()} costs more). */
    public static int runningRelease() {
        try {
            return Integer.parseInt(System.getProperty("java.specification.version"));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The running JDK build as a {@code #build} line names it. */
    static String runningBuild() {
        return System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version");
    }

    /** The jar entries to read on this release: its own list, or all lists when it has none. */
    public static String[] entriesFor(int release) {
        if (hasOwnList(release)) return new String[] {entry(release)};
        String[] all = new String[RELEASES.length];
        for (int i = 0; i < all.length; i++) all[i] = entry(RELEASES[i]);
        return all;
    }

    static boolean hasOwnList(int release) {
        for (int known : RELEASES) {
            if (known == release) return true;
        }
        return false;
    }

    /**
     * The lists' binary names, one per line, and the builds their {@code #build} lines name; blank lines and
     * other lines starting with '#' are skipped.
     */
    public static JdkLockClasses parse(byte[]... lists) {
        Set<String> names = new HashSet<>(1024);
        Set<String> builds = new HashSet<>(4);
        for (byte[] list : lists) {
            String text = new String(list, StandardCharsets.ISO_8859_1);
            int start = 0;
            while (start < text.length()) {
                int end = text.indexOf('\n', start);
                if (end < 0) end = text.length();
                String line = text.substring(start, end).trim();
                if (line.startsWith(BUILD_LINE)) {
                    builds.add(line.substring(BUILD_LINE.length()).trim());
                } else if (!line.isEmpty() && line.charAt(0) != '#') {
                    names.add(line);
                }
                start = end + 1;
            }
        }
        return new JdkLockClasses(names, builds);
    }

    /**
     * Is this one of the classes a list speaks for: a boot-loader class of one of {@link #MODULES}? Not the boot
     * class path's: their module is unnamed (another agent's classes, appended there before lockwatch's).
     */
    static boolean covers(Class<?> type) {
        if (type.getClassLoader() != null) return false;
        String module = type.getModule().getName();
        return module != null && MODULES.contains(module); // List.of's contains throws on null
    }

    boolean names(String className) {
        return names.contains(className);
    }

    /** Was a list read off this very build? Then the classes it covers but does not name take no lock. */
    boolean readOff(String build) {
        return builds.contains(build);
    }

    Set<String> names() {
        return names;
    }
}
