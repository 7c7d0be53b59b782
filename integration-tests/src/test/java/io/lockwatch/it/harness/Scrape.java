package io.lockwatch.it.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One real HTTP scrape of a child's /metrics endpoint, parsed into samples. */
public final class Scrape {
    private static final Pattern PORT = Pattern.compile("\\[lockwatch\\] metrics at http://127\\.0\\.0\\.1:(\\d+)/metrics");
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One line of the exposition: a metric name, its labels and its value. */
    public record Sample(String name, Map<String, String> labels, double value) {
        public String label(String key) {
            return labels.get(key);
        }
    }

    public final String text;
    public final List<Sample> samples;

    private Scrape(String text) {
        this.text = text;
        this.samples = parse(text);
    }

    /** The port the agent chose for {@code port=0}, read from its stderr line (waits for it, bounded). */
    public static int portOf(ChildJvm.Running child) {
        child.awaitStderr("[lockwatch] metrics at http://", 60);
        Matcher m = PORT.matcher(ChildJvm.read(child.dir().resolve("stderr.txt")));
        if (!m.find()) fail("no metrics line on stderr in " + child.dir());
        return Integer.parseInt(m.group(1));
    }

    public static Scrape of(int port) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            String type = response.headers().firstValue("Content-Type").orElse("");
            if (!type.startsWith("text/plain; version=0.0.4")) fail("content type " + type);
            return new Scrape(response.body());
        } catch (Exception e) {
            throw new AssertionError("scrape of port " + port + " failed: " + e, e);
        }
    }

    public List<Sample> named(String name) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (s.name.equals(name)) out.add(s);
        }
        return out;
    }

    public List<Sample> named(String name, Predicate<Sample> filter) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : named(name)) {
            if (filter.test(s)) out.add(s);
        }
        return out;
    }

    /** The value of the one sample with this name and these labels (label pairs: key, value, ...). */
    public double value(String name, String... labels) {
        List<Sample> found = named(name, s -> {
            for (int i = 0; i < labels.length; i += 2) {
                if (!labels[i + 1].equals(s.label(labels[i]))) return false;
            }
            return true;
        });
        if (found.size() != 1) fail("expected one " + name + " " + List.of(labels) + ", found " + found + "\n" + text);
        return found.get(0).value;
    }

    /** The sum over every sample with this name that matches the filter. */
    public double sum(String name, Predicate<Sample> filter) {
        double total = 0;
        for (Sample s : named(name, filter)) total += s.value;
        return total;
    }

    private static List<Sample> parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) fail("not a sample line: " + line);
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) labels.put(l.group(1), l.group(2));
            }
            out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
        return out;
    }
}
