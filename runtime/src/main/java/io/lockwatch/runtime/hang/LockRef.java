package io.lockwatch.runtime.hang;

import io.lockwatch.runtime.report.JsonWriter;
import java.lang.management.LockInfo;

/** A lock as a finding names it: {@code class@identityHash}, as {@code Object.toString()} and jstack print it. */
final class LockRef {
    final String className;
    final String identityHash;
    /** Where it was taken (a frame), or null when unknown. */
    final String at;

    LockRef(String className, int identityHash, String at) {
        this.className = className;
        this.identityHash = Integer.toHexString(identityHash);
        this.at = at;
    }

    static LockRef of(LockInfo info, String at) {
        return info == null ? null : new LockRef(info.getClassName(), info.getIdentityHashCode(), at);
    }

    static LockRef of(Object lock, String at) {
        return new LockRef(lock.getClass().getName(), System.identityHashCode(lock), at);
    }

    String name() {
        return className + "@" + identityHash;
    }

    boolean sameLock(LockInfo info) {
        return info != null && info.getClassName().equals(className)
                && Integer.toHexString(info.getIdentityHashCode()).equals(identityHash);
    }

    void write(JsonWriter json) {
        json.beginObject().field("lock", name()).field("class", className).field("identityHash", identityHash);
        if (at != null) json.field("at", at);
        json.endObject();
    }
}
