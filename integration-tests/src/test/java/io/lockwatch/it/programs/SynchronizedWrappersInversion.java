package io.lockwatch.it.programs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The wrappers of Collections.synchronizedList/Map/Set lock themselves and then the other collection:
 * a.addAll(b) against b.addAll(a), m1.putAll(m2) against m2.putAll(m1), s1.equals(s2) against s2.equals(s1).
 * The first argument chooses which pair this run uses: list, map or set.
 */
public final class SynchronizedWrappersInversion {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "list": {
                List<Integer> a = Collections.synchronizedList(new ArrayList<>(List.of(1)));
                List<Integer> b = Collections.synchronizedList(new ArrayList<>(List.of(2)));
                Staggered.steps().then("adds-b-to-a", () -> a.addAll(b)).then("adds-a-to-b", () -> b.addAll(a)).run();
                System.out.println(a.size() + b.size());
                break;
            }
            case "map": {
                Map<String, Integer> m1 = Collections.synchronizedMap(new HashMap<>(Map.of("a", 1)));
                Map<String, Integer> m2 = Collections.synchronizedMap(new HashMap<>(Map.of("b", 2)));
                Staggered.steps().then("puts-m2-in-m1", () -> m1.putAll(m2)).then("puts-m1-in-m2", () -> m2.putAll(m1)).run();
                System.out.println(m1.size() + m2.size());
                break;
            }
            default: {
                Set<Integer> s1 = Collections.synchronizedSet(new HashSet<>(Set.of(1, 2)));
                Set<Integer> s2 = Collections.synchronizedSet(new HashSet<>(Set.of(1, 2)));
                boolean[] equal = new boolean[2];
                Staggered.steps()
                        .then("compares-s1", () -> equal[0] = s1.equals(s2))
                        .then("compares-s2", () -> equal[1] = s2.equals(s1))
                        .run();
                System.out.println(equal[0] && equal[1]);
            }
        }
    }
}
