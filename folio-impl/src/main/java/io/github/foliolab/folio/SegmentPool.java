package io.github.foliolab.folio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Recycled memmap segments for short-lived machines ({@link Machine#bootGcManaged}): a segment handed back
 * by {@link MemMap#close} is zeroed and reused; new ones come from automatic arenas, so a memmap that is
 * never closed is still freed by the garbage collector. At most {@link #MAX_POOLED} segments are kept.
 */
final class SegmentPool {
    private SegmentPool() {}

    private static final int MAX_POOLED = 16;
    /** The pooled segments (any size); a lock-free queue, as machines may be closed on any thread. */
    private static final ConcurrentLinkedQueue<MemorySegment> POOL = new ConcurrentLinkedQueue<>();

    /** A zeroed segment of {@code bytes}, aligned to {@code align}. */
    static MemorySegment take(long bytes, long align) {
        for (int tries = 0; tries < MAX_POOLED; tries++) {
            MemorySegment s = POOL.poll();
            if (s == null) {
                break;
            }
            if (s.byteSize() == bytes && s.address() % align == 0) {
                s.fill((byte) 0);
                return s;
            }
            // another size: let the garbage collector have it
        }
        return Arena.ofAuto().allocate(bytes, align);
    }

    /** Hand a segment back; its memmap must not be used afterwards. */
    static void give(MemorySegment s) {
        if (POOL.size() < MAX_POOLED) {
            POOL.offer(s);
        }
    }
}
