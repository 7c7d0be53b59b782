package io.lockwatch.dashboards;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Just enough PromQL lexing to find the vector selectors of an expression: which metric each one names
 * and its label matchers. Whether an expression is valid PromQL at all is promtool's and Prometheus's
 * job; this only answers "which metrics does it read, and with which filters".
 */
public final class PromQL {
    private PromQL() {}

    /** One vector selector, e.g. {@code lockwatch_wait_seconds_bucket{job=~"$job", kind="monitor"}}. */
    public static final class Selector {
        public final String metric;
        /** label -> operator and value, e.g. {@code job -> =~"$job"}. */
        public final Map<String, String> matchers;

        Selector(String metric, Map<String, String> matchers) {
            this.metric = metric;
            this.matchers = matchers;
        }

        @Override
        public String toString() {
            return metric + matchers;
        }
    }

    // Words that are never metric names: operators, modifiers and the literals inf/nan.
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "offset", "and", "or", "unless", "atan2", "inf", "nan");
    // After these, a parenthesised list holds label names, not expressions.
    private static final Set<String> LABEL_LIST_KEYWORDS = Set.of("by", "without", "on", "ignoring",
            "group_left", "group_right");

    /** The vector selectors of {@code expr}, in order. A selector without a metric name fails. */
    public static List<Selector> selectors(String expr) {
        List<Selector> found = new ArrayList<>();
        int i = 0;
        int n = expr.length();
        String pendingName = null;
        boolean labelListNext = false;
        while (i < n) {
            char c = expr.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < n && expr.charAt(i) != '\n') i++;
            } else if (c == '"' || c == '\'' || c == '`') {
                i = skipString(expr, i);
                pendingName = flush(found, pendingName);
            } else if (c == '[') {
                i = expr.indexOf(']', i) + 1; // a range or subquery duration, never a metric
                if (i == 0) throw new IllegalArgumentException("unclosed [ in " + expr);
            } else if (c == '{') {
                int end = findClosing(expr, i);
                found.add(new Selector(requireName(pendingName, expr), matchers(expr.substring(i + 1, end), expr)));
                pendingName = null;
                i = end + 1;
            } else if (c == '(') {
                pendingName = null; // the word before was a function or aggregation
                if (labelListNext) {
                    i = expr.indexOf(')', i) + 1;
                    labelListNext = false;
                } else {
                    i++;
                }
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(expr.charAt(i + 1)))) {
                pendingName = flush(found, pendingName);
                while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.')) i++;
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '_' || expr.charAt(i) == ':')) i++;
                String word = expr.substring(start, i).toLowerCase();
                if (word.equals("by") || word.equals("without")) {
                    pendingName = null; // "sum by (...)": the word before was the aggregation
                } else {
                    pendingName = flush(found, pendingName);
                }
                if (KEYWORDS.contains(word)) {
                    labelListNext = LABEL_LIST_KEYWORDS.contains(word);
                } else {
                    pendingName = expr.substring(start, i);
                }
            } else {
                pendingName = flush(found, pendingName);
                i++;
            }
        }
        flush(found, pendingName);
        return found;
    }

    /** The metric names an expression reads. */
    public static List<String> metrics(String expr) {
        List<String> names = new ArrayList<>();
        for (Selector s : selectors(expr)) {
            if (!names.contains(s.metric)) names.add(s.metric);
        }
        return names;
    }

    // A bare word that was not followed by '(' or '{' is a selector without matchers.
    private static String flush(List<Selector> found, String pendingName) {
        if (pendingName != null) found.add(new Selector(pendingName, new LinkedHashMap<>()));
        return null;
    }

    private static String requireName(String name, String expr) {
        if (name == null) {
            throw new IllegalArgumentException("selector without a metric name (say which metric) in: " + expr);
        }
        return name;
    }

    private static Map<String, String> matchers(String body, String expr) {
        Map<String, String> result = new LinkedHashMap<>();
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (Character.isWhitespace(c) || c == ',') {
                i++;
                continue;
            }
            int start = i;
            while (i < body.length() && (Character.isLetterOrDigit(body.charAt(i)) || body.charAt(i) == '_')) i++;
            String label = body.substring(start, i);
            while (i < body.length() && Character.isWhitespace(body.charAt(i))) i++;
            int opStart = i;
            while (i < body.length() && "=!~".indexOf(body.charAt(i)) >= 0) i++;
            String op = body.substring(opStart, i);
            while (i < body.length() && Character.isWhitespace(body.charAt(i))) i++;
            if (label.isEmpty() || op.isEmpty() || i >= body.length()) {
                throw new IllegalArgumentException("cannot read label matchers {" + body + "} in " + expr);
            }
            int valueEnd = skipString(body, i);
            result.put(label, op + body.substring(i, valueEnd));
            i = valueEnd;
        }
        return result;
    }

    private static int skipString(String s, int start) {
        char quote = s.charAt(start);
        if (quote != '"' && quote != '\'' && quote != '`') {
            throw new IllegalArgumentException("expected a quoted string at " + start + " in " + s);
        }
        int i = start + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\' && quote != '`') {
                i += 2;
            } else if (c == quote) {
                return i + 1;
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("unclosed string in " + s);
    }

    private static int findClosing(String s, int open) {
        int i = open + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(s, i);
            } else if (c == '}') {
                return i;
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("unclosed { in " + s);
    }
}
