package io.lockwatch.agent.instrument;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The constants {@link ClassFileRewriter} adds to a class, appended after the class's own (whose indices
 * stay as they are): each added once.
 */
final class AppendedConstants {
    final GrowingBytes bytes = new GrowingBytes(256);
    // Each kind by what it names, without building a string for the key.
    private final Map<String, Integer> utf8s = new HashMap<>();
    private final Map<String, Integer> classes = new HashMap<>();
    private final Map<Integer, Integer> integers = new HashMap<>();
    private final Map<Ref, Integer> refs = new HashMap<>();

    /**
     * A Fieldref or Methodref ({@code tag} 9 or 10), or a NameAndType (12, no owner). A class, not a record:
     * a record's equals and hashCode are bootstrapped through method handles the first time, which the
     * transformer would pay for in premain.
     */
    private static final class Ref {
        final int tag;
        final String owner;
        final String name;
        final String descriptor;

        Ref(int tag, String owner, String name, String descriptor) {
            this.tag = tag;
            this.owner = owner;
            this.name = name;
            this.descriptor = descriptor;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Ref ref && ref.tag == tag && Objects.equals(ref.owner, owner)
                    && ref.name.equals(name) && ref.descriptor.equals(descriptor);
        }

        @Override
        public int hashCode() {
            return ((tag * 31 + Objects.hashCode(owner)) * 31 + name.hashCode()) * 31 + descriptor.hashCode();
        }
    }
    private int next;
    private int objectClass;
    private int throwableClass;
    // The runtime methods called so far, found again by the identity of their (constant) strings: most
    // calls lockwatch inserts are a handful of methods, asked for over and over.
    private final String[] calledOwner = new String[16];
    private final String[] calledName = new String[16];
    private final String[] calledDescriptor = new String[16];
    private final int[] calledIndex = new int[16];
    private int called;

    AppendedConstants(int count) {
        this.next = count;
    }

    int count() {
        return next;
    }

    int utf8(String text) {
        Integer known = utf8s.get(text);
        if (known != null) return known;
        bytes.u1(1);
        int lengthAt = bytes.size();
        bytes.u2(0);
        byte[] ascii = asciiOrNull(text);
        if (ascii != null) {
            bytes.bytes(ascii, 0, ascii.length);
        } else {
            modifiedUtf8(text);
        }
        int length = bytes.size() - lengthAt - 2;
        if (length > 0xFFFF) throw ClassFileRewriter.LEFT_TO_ASM;
        bytes.set2(lengthAt, length);
        return added(utf8s, text);
    }

    /** Modified UTF-8: one to three bytes a character, NUL as two. */
    private void modifiedUtf8(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x01 && c <= 0x7f) {
                bytes.u1(c);
            } else if (c <= 0x7ff) {
                bytes.u1(0xc0 | (c >> 6));
                bytes.u1(0x80 | (c & 0x3f));
            } else {
                bytes.u1(0xe0 | (c >> 12));
                bytes.u1(0x80 | ((c >> 6) & 0x3f));
                bytes.u1(0x80 | (c & 0x3f));
            }
        }
    }

    /**
     * The text's bytes when every character is ASCII (but NUL), which modified UTF-8 writes as itself: nearly
     * every name and descriptor. Copied whole by the JDK and checked byte by byte, several times cheaper than a
     * character at a time while the transformer still runs interpreted at start-up.
     */
    static byte[] asciiOrNull(String text) {
        byte[] latin1 = text.getBytes(StandardCharsets.ISO_8859_1);
        for (byte c : latin1) {
            // NUL or above 0x7f (as ClassFileSkim.isAscii); '?' too, which the encoder also writes for a character
            // beyond Latin-1, so only the bytes can tell
            if (c <= 0 || c == '?') return null;
        }
        return latin1;
    }

    int classRef(String internalName) {
        Integer known = classes.get(internalName);
        if (known != null) return known;
        int name = utf8(internalName);
        bytes.u1(7);
        bytes.u2(name);
        return added(classes, internalName);
    }

    int integer(int value) {
        Integer known = integers.get(value);
        if (known != null) return known;
        bytes.u1(3);
        bytes.u4(value);
        return added(integers, value);
    }

    int methodref(String owner, String name, String descriptor) {
        for (int i = 0; i < called; i++) {
            if (calledName[i] == name && calledDescriptor[i] == descriptor && calledOwner[i] == owner) return calledIndex[i];
        }
        int index = memberRef(10, owner, name, descriptor);
        if (called < calledIndex.length) {
            calledOwner[called] = owner;
            calledName[called] = name;
            calledDescriptor[called] = descriptor;
            calledIndex[called++] = index;
        }
        return index;
    }

    int objectClass() {
        if (objectClass == 0) objectClass = classRef("java/lang/Object");
        return objectClass;
    }

    int throwableClass() {
        if (throwableClass == 0) throwableClass = classRef("java/lang/Throwable");
        return throwableClass;
    }

    int fieldref(String owner, String name, String descriptor) {
        return memberRef(9, owner, name, descriptor);
    }

    /** A Fieldref or Methodref, added once, after its class and its NameAndType (in that order, as ever). */
    private int memberRef(int tag, String owner, String name, String descriptor) {
        Ref key = new Ref(tag, owner, name, descriptor);
        Integer known = refs.get(key);
        if (known != null) return known;
        int classIndex = classRef(owner);
        int nameAndType = nameAndType(name, descriptor);
        return twoIndices(key, classIndex, nameAndType);
    }

    private int nameAndType(String name, String descriptor) {
        Ref key = new Ref(12, null, name, descriptor);
        Integer known = refs.get(key);
        if (known != null) return known;
        int nameIndex = utf8(name);
        int descriptorIndex = utf8(descriptor);
        return twoIndices(key, nameIndex, descriptorIndex);
    }

    private int twoIndices(Ref key, int first, int second) {
        bytes.u1(key.tag);
        bytes.u2(first);
        bytes.u2(second);
        return added(refs, key);
    }

    /** Numbers the entry just written and remembers it under {@code key}: @return its index */
    private <K> int added(Map<K, Integer> kind, K key) {
        int index = next++;
        kind.put(key, index);
        return index;
    }
}
