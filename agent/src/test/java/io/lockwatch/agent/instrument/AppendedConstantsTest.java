package io.lockwatch.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The Utf8 constants the rewriter appends and reads back: modified UTF-8, with its shortcut for ASCII. */
class AppendedConstantsTest {

    @Test
    void writesModifiedUtf8ForEveryKindOfCharacter() {
        assertEncoded("java/lang/Object", bytes("java/lang/Object"));
        assertEncoded("a?b", bytes("a?b"));
        assertEncoded("\u00f6", 0xc3, 0xb6); // Latin-1, two bytes
        assertEncoded("\u9396", 0xe9, 0x8e, 0x96); // beyond Latin-1: three bytes (the JDK's Latin-1 encoder writes '?')
        assertEncoded("x\u9396", 'x', 0xe9, 0x8e, 0x96);
        assertEncoded("\u0000", 0xc0, 0x80); // NUL as two bytes, as class files have it
        assertEncoded("", new int[0]);
    }

    @Test
    void readsBackWhatItWrote() {
        for (String text : new String[] {"java/lang/Object", "a?b", "\u00f6", "\u9396", "x\u9396y", "\u0000", "\ud83d\udd12"}) {
            AppendedConstants pool = new AppendedConstants(1);
            pool.utf8(text);
            assertEquals(text, LockSiteScanner.utf8(pool.bytes.toArray(), 0));
        }
    }

    private static void assertEncoded(String text, int... expected) {
        AppendedConstants pool = new AppendedConstants(7);
        assertEquals(7, pool.utf8(text));
        assertEquals(7, pool.utf8(text), "added once");
        byte[] written = pool.bytes.toArray();
        byte[] want = new byte[3 + expected.length];
        want[0] = 1;
        want[1] = (byte) (expected.length >>> 8);
        want[2] = (byte) expected.length;
        for (int i = 0; i < expected.length; i++) want[3 + i] = (byte) expected[i];
        assertArrayEquals(want, written, text + ": " + Arrays.toString(written));
    }

    private static int[] bytes(String ascii) {
        return ascii.chars().toArray();
    }
}
