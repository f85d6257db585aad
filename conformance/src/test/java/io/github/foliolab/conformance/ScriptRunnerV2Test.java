package io.github.foliolab.conformance;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulator's format v2 runner: the two-node machine, on 1, the @ line, file@S and the hints. */
class ScriptRunnerV2Test {
    private static List<String> run(String text) {
        return ScriptRunner.run("t.script", text).lines().toList();
    }

    @Test
    void faultsLandOnTheFaultingCpusNodeAndTheZeroPageInNode0() {
        List<String> t = run("""
                format 2
                mmap A 3 anon rw
                mmap Z 1 anon r
                touch A 0 1 write
                on 1 touch A 1 2 write
                on 1 touch Z 0 1 read
                check
                """);
        assertEquals("format 2 = 0", t.get(0));
        assertEquals("on 1 touch A 1 2 write = 0", t.get(4));
        assertEquals("  A: - - -", t.get(7));
        assertEquals("  A@ 0m 1m 1m", t.get(8));
        assertEquals("  Z: Z", t.get(9));
        assertEquals("  Z@ 0k", t.get(10));
        assertEquals("  migrate pgmigrate_success=0 pgmigrate_fail=0", t.get(13));
    }

    @Test
    void eachCpuDrainsOnlyItsOwnBatch() {
        List<String> t = run("""
                format 2
                mmap A 2 anon rw
                touch A 0 1 write
                on 1 touch A 1 1 write
                on 1 drain
                check
                drain
                check
                """);
        assertTrue(t.contains("  A: - L"), t.toString());
        assertTrue(t.contains("  A: L L"), t.toString());
    }

    @Test
    void fileAtMapsTheSameFileAndMmapsAskForTheirHints() {
        List<String> t = run("""
                format 2
                mmap F 2 file rw
                mmap G 1 file@F r
                touch F 0 1 write
                touch G 0 1 read
                drain
                mlock G 0 1
                munmap F 0 2
                mmap H 1 anon rw
                check
                """);
        // G maps F's first page (already cached): mlocked through G; mmap after munmap is fine in v2.
        assertTrue(t.contains("  G: MUL"), t.toString());
        assertTrue(t.contains("mmap H 1 anon rw = 0"), t.toString());
    }

    @Test
    void forkChildExitRunOnTheChild() {
        String t = ScriptRunner.run("t.script", "format 2\nmmap A 1 anon rw\ntouch A 0 1 write\nfork\n"
                + "child touch A 0 1 write\nchild munmap A 0 1\nexit\ntouch A 0 1 write\ncheck\n");
        assertTrue(t.contains("fork = 0\nchild touch A 0 1 write = 0\nchild munmap A 0 1 = 0\nexit = 0\n"), t);
        assertTrue(t.contains("  A: L\n"), "the parent's page, reused after the child copied and left: " + t);
    }
}
