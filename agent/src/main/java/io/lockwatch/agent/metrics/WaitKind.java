package io.lockwatch.agent.metrics;

/** The primitives whose waits lockwatch measures; {@link #tag} is the {@code kind} tag of the wait metrics. */
enum WaitKind {
    MONITOR("monitor"),
    REENTRANT_LOCK("reentrant_lock"),
    READ_LOCK("read_lock"),
    WRITE_LOCK("write_lock"),
    CONDITION("condition"),
    OBJECT_WAIT("object_wait"),
    SEMAPHORE("semaphore"),
    LATCH("latch"),
    BARRIER("barrier"),
    PHASER("phaser"),
    JOIN("join");

    final String tag;

    WaitKind(String tag) {
        this.tag = tag;
    }

    static WaitKind byTag(String tag) {
        for (WaitKind k : values()) {
            if (k.tag.equals(tag)) return k;
        }
        return null;
    }
}
