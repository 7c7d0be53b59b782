package io.lockwatch.agent.instrument;

import java.util.Arrays;

/** A growing byte array, big-endian as class files are. */
final class GrowingBytes {
    private byte[] data;
    private int size;

    GrowingBytes(int capacity) {
        data = new byte[Math.max(capacity, 16)];
    }

    int size() {
        return size;
    }

    int capacity() {
        return data.length;
    }

    /** Empty again, its array kept. */
    void clear() {
        size = 0;
    }

    byte[] array() {
        return data;
    }

    /** The bytes written; the array itself when it is exactly full (a caller that sized it right pays no copy). */
    byte[] toArray() {
        return size == data.length ? data : Arrays.copyOf(data, size);
    }

    // Each write checks its room inline and calls grow only when full: at start-up the rewriter runs interpreted,
    // and a call per byte written was a fifth of its time.
    private void grow(int more) {
        data = Arrays.copyOf(data, Math.max(data.length * 2, size + more));
    }

    void u1(int value) {
        if (size == data.length) grow(1);
        data[size++] = (byte) value;
    }

    void u2(int value) {
        if (size + 2 > data.length) grow(2);
        data[size++] = (byte) (value >>> 8);
        data[size++] = (byte) value;
    }

    void u4(int value) {
        if (size + 4 > data.length) grow(4);
        data[size++] = (byte) (value >>> 24);
        data[size++] = (byte) (value >>> 16);
        data[size++] = (byte) (value >>> 8);
        data[size++] = (byte) value;
    }

    /** Writes a u4 length to fill in once what follows is written ({@link #endLength}); @return where it is */
    int startLength() {
        int at = size;
        u4(0);
        return at;
    }

    /** Fills in the length started at {@code at}: the bytes written after it. */
    void endLength(int at) {
        int length = size - at - 4;
        set2(at, length >>> 16);
        set2(at + 2, length);
    }

    void set2(int at, int value) {
        data[at] = (byte) (value >>> 8);
        data[at + 1] = (byte) value;
    }

    void bytes(byte[] from, int offset, int length) {
        if (size + length > data.length) grow(length);
        System.arraycopy(from, offset, data, size, length);
        size += length;
    }
}
