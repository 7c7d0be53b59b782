package io.lockwatch.agent.instrument;

import java.util.HashMap;
import java.util.Map;

/**
 * The constants {@link ClassFileRewriter} adds to a class, appended after the class's own (whose indices
 * stay as they are): each added once.
 */
final class AppendedConstants {
    final GrowingBytes bytes = new GrowingBytes(256);
    // The most asked-for kinds by their text as it is, the others by kind and text ("12|name:descriptor").
    private final Map<String, Integer> utf8s = new HashMap<>();
    private final Map<String, Integer> classes = new HashMap<>();
    private final Map<String, Integer> added = new HashMap<>();
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
        for (int i = 0; i < text.length(); i++) { // modified UTF-8; nearly always ASCII, one byte a character
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
        int length = bytes.size() - lengthAt - 2;
        if (length > 0xFFFF) throw ClassFileRewriter.LEFT_TO_ASM;
        bytes.set2(lengthAt, length);
        int index = next++;
        utf8s.put(text, index);
        return index;
    }

    int classRef(String internalName) {
        Integer known = classes.get(internalName);
        if (known != null) return known;
        int name = utf8(internalName);
        bytes.u1(7);
        bytes.u2(name);
        int index = next++;
        classes.put(internalName, index);
        return index;
    }

    int integer(int value) {
        String key = "3|" + value;
        Integer known = added.get(key);
        if (known != null) return known;
        bytes.u1(3);
        bytes.u4(value);
        return add(key);
    }

    int methodref(String owner, String name, String descriptor) {
        for (int i = 0; i < called; i++) {
            if (calledName[i] == name && calledDescriptor[i] == descriptor && calledOwner[i] == owner) return calledIndex[i];
        }
        int index = reference(10, owner + "." + name + descriptor, classRef(owner), nameAndType(name, descriptor));
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
        return reference(9, owner + "." + name + ":" + descriptor, classRef(owner), nameAndType(name, descriptor));
    }

    private int nameAndType(String name, String descriptor) {
        return reference(12, name + ":" + descriptor, utf8(name), utf8(descriptor));
    }

    /** An entry of one or two indices, added once per key. */
    private int reference(int tag, String text, int first, int second) {
        String key = tag + "|" + text;
        Integer known = added.get(key);
        if (known != null) return known;
        bytes.u1(tag);
        bytes.u2(first);
        if (second >= 0) bytes.u2(second);
        return add(key);
    }

    private int add(String key) {
        int index = next++;
        added.put(key, index);
        return index;
    }
}
