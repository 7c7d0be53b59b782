package io.lockwatch.it.harness;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The metric families a Prometheus text exposition declares, read into what the dashboard checks need:
 * the families ({@code # TYPE} lines), the sample names of each family ({@code _bucket},
 * {@code _count}, ...), and every value each label takes. (Sample values by name and label are what
 * the metrics tests' scrape helper is for; this is about names.)
 */
public final class MetricFamilies {
    public final String text;
    /** family -> the sample names that family's samples use. */
    public final Map<String, Set<String>> families = new TreeMap<>();
    /** sample name -> its family. */
    public final Map<String, String> familyOfSample = new TreeMap<>();
    /** label name -> every value it takes in the scrape. */
    public final Map<String, Set<String>> labelValues = new TreeMap<>();
    /** sample name with labels, exactly as written -> value. */
    public final Map<String, Double> samples = new LinkedHashMap<>();

    private MetricFamilies(String text) {
        this.text = text;
        String family = null;
        for (String line : text.split("\n")) {
            line = line.trim();
            if (line.isEmpty()) continue;
            if (line.startsWith("# TYPE ")) {
                family = line.split(" ")[2];
                families.putIfAbsent(family, new LinkedHashSet<>());
                continue;
            }
            if (line.startsWith("#")) continue;
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            int nameEnd = brace >= 0 && brace < space ? brace : space;
            String name = line.substring(0, nameEnd);
            String fam = family != null && name.startsWith(family.replaceAll("_total$", "")) ? family : name;
            families.computeIfAbsent(fam, k -> new LinkedHashSet<>()).add(name);
            familyOfSample.put(name, fam);
            int valueStart;
            if (nameEnd == brace) {
                int close = labels(line, brace + 1);
                valueStart = close + 1;
            } else {
                valueStart = nameEnd;
            }
            String[] rest = line.substring(valueStart).trim().split(" ");
            samples.put(line.substring(0, valueStart).trim(), Double.parseDouble(rest[0]));
        }
    }

    /** Reads {@code a="x",b="y"} from {@code start}, recording the values; returns the index of '}'. */
    private int labels(String line, int start) {
        int i = start;
        while (i < line.length() && line.charAt(i) != '}') {
            int eq = line.indexOf('=', i);
            String label = line.substring(i, eq).trim();
            if (label.startsWith(",")) label = label.substring(1).trim();
            int q = eq + 1; // opening quote
            StringBuilder value = new StringBuilder();
            int j = q + 1;
            while (line.charAt(j) != '"') {
                if (line.charAt(j) == '\\') j++;
                value.append(line.charAt(j));
                j++;
            }
            labelValues.computeIfAbsent(label, k -> new LinkedHashSet<>()).add(value.toString());
            i = j + 1;
            if (i < line.length() && line.charAt(i) == ',') i++;
        }
        return i;
    }

    public static MetricFamilies of(String text) {
        return new MetricFamilies(text);
    }

    /** GET http://127.0.0.1:port/metrics, as Prometheus scrapes it. */
    public static MetricFamilies fetch(int port) throws IOException {
        return new MetricFamilies(Http.get("http://127.0.0.1:" + port + "/metrics"));
    }
}
