package io.github.foliolab.folio;

import io.github.foliolab.folio.api.Gfp;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SmokeTest {
    @Test
    void allocGetPutFree() {
        Node node = Node.boot(4096, 4096);
        long free0 = node.freePages();
        Folio f = node.folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        assertNotNull(f);
        assertEquals(1, f.refCount());
        assertEquals(free0 - 1, node.freePages());
        f.get();
        assertEquals(2, f.refCount());
        assertFalse(f.put());
        assertTrue(f.put());
        assertEquals(free0, node.freePages());
        Folio l = node.folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 4);
        assertEquals(16, l.nrPages());
        assertEquals(4, l.order());
        assertTrue(l.put());
        assertEquals(free0, node.freePages());
    }
}
