package io.lockwatch.runtime.report;

/**
 * A small streaming JSON writer. The runtime lives on the bootstrap class path and depends on nothing
 * but the JDK, so it cannot bring a JSON library.
 */
public final class JsonWriter {
    private final StringBuilder out = new StringBuilder(4096);
    private int depth;
    private boolean needComma;

    public JsonWriter beginObject() {
        value();
        out.append('{');
        depth++;
        needComma = false;
        return this;
    }

    public JsonWriter endObject() {
        depth--;
        newline();
        out.append('}');
        needComma = true;
        return this;
    }

    public JsonWriter beginArray() {
        value();
        out.append('[');
        depth++;
        needComma = false;
        return this;
    }

    public JsonWriter endArray() {
        depth--;
        newline();
        out.append(']');
        needComma = true;
        return this;
    }

    public JsonWriter name(String name) {
        if (needComma) out.append(',');
        newline();
        string(name);
        out.append(": ");
        needComma = false;
        nameWritten = true;
        return this;
    }

    private boolean nameWritten;

    public JsonWriter value(String value) {
        value();
        if (value == null) out.append("null");
        else string(value);
        needComma = true;
        return this;
    }

    public JsonWriter value(long value) {
        value();
        out.append(value);
        needComma = true;
        return this;
    }

    public JsonWriter value(boolean value) {
        value();
        out.append(value);
        needComma = true;
        return this;
    }

    public JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, boolean value) {
        return name(name).value(value);
    }

    public JsonWriter stringArray(String name, Iterable<String> values) {
        name(name).beginArray();
        for (String v : values) value(v);
        return endArray();
    }

    public JsonWriter frames(String name, StackTraceElement[] frames) {
        name(name).beginArray();
        if (frames != null) {
            for (StackTraceElement frame : frames) value(frame.toString());
        }
        return endArray();
    }

    /** Comma and indentation before a value in an array (a value after a name needs neither). */
    private void value() {
        if (nameWritten) {
            nameWritten = false;
            return;
        }
        if (needComma) out.append(',');
        if (depth > 0) newline();
    }

    private void newline() {
        out.append('\n');
        for (int i = 0; i < depth; i++) out.append("  ");
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString() + "\n";
    }
}
