package io.github.foliolab.folio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Recycled memmap segments for short-lived machines ({@link Machine#bootGcManaged}): a segment handed back
 * by {@link MemMap#close} is reused; new ones come from automatic arenas, so a memmap that is never closed
 * is still freed by the garbage collector. Each segment handed out is initialised by copying a cached
 * image of the initial contents for its size (one bulk copy instead of a store per descriptor). At most
 * {@link #MAX_POOLED} segments are kept.
 */
final class SegmentPool {
    private SegmentPool() {}

    private static final int MAX_POOLED = 16;
    /** The pooled segments (any size); a lock-free queue, as machines may be closed on any thread. */
    private static final ConcurrentLinkedQueue<MemorySegment> POOL = new ConcurrentLinkedQueue<>();
    /** Initial contents by size (the initialiser is the same for every caller: MemMap's fresh state). */
    private static final Map<Long, MemorySegment> IMAGES = new ConcurrentHashMap<>();

    /** A segment of {@code bytes}, aligned to {@code align}, holding what {@code init} writes into a zeroed one. */
    static MemorySegment take(long bytes, long align, Consumer<MemorySegment> init) {
        MemorySegment image = IMAGES.computeIfAbsent(bytes, b -> {
            MemorySegment s = Arena.ofAuto().allocate(b, align);
            init.accept(s);
            return s;
        });
        MemorySegment s = null;
        for (int tries = 0; tries < MAX_POOLED; tries++) {
            MemorySegment p = POOL.poll();
            if (p == null) {
                break;
            }
            if (p.byteSize() == bytes && p.address() % align == 0) {
                s = p;
                break;
            }
            // another size: let the garbage collector have it
        }
        if (s == null) {
            s = Arena.ofAuto().allocate(bytes, align);
        }
        MemorySegment.copy(image, 0, s, 0, bytes);
        return s;
    }

    /** Hand a segment back; its memmap must not be used afterwards. */
    static void give(MemorySegment s) {
        if (POOL.size() < MAX_POOLED) {
            POOL.offer(s);
        }
    }
}
