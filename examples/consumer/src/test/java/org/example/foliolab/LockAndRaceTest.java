package org.example.foliolab;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LockAndRaceTest {
    @Test
    void mlockCountsFourPagesAndTheExplorerFindsR1() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long vmLck = LockAndRace.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(16, vmLck, out); // four 4 KiB pages
        assertTrue(out.contains("mlock = 0, VmLck: 16 kB"), out);
        assertTrue(out.contains("munlock-putback [7.2]: VIOLATION"), out);
    }
}
