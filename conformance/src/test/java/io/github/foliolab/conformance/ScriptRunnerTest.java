package io.github.foliolab.conformance;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runner's contract besides the corpus: every script error of the real runner (runner.c's
 * parse_script) is found before anything runs and reported as FILE:LINE: message; the simulated
 * process has the real runner's pad page and initial drain; CorpusTest's diff names the first
 * differing line and the command that printed it.
 */
class ScriptRunnerTest {
    static final String OK = "mmap A 4 anon rw\ntouch A 0 4 write\ncheck\n";

    /** runner.c's script errors, one script each: the error is on the last line, after valid commands. */
    @TestFactory
    Stream<DynamicTest> everyScriptErrorOfTheRealRunner() {
        record Bad(String lastLine, String message) {}
        List<Bad> bad = List.of(
                new Bad("a b c d e f g h i", "too many tokens"),
                new Bad("mmap B 4 anon", "mmap R N KIND PROT [populate] [locked]"),
                new Bad("mmap A 4 anon rw", "region mapped twice"),
                new Bad("mmap " + "x".repeat(32) + " 4 anon rw", "region name too long or too many regions"),
                new Bad("mmap B 0 anon rw", "bad number"),
                new Bad("mmap B 65537 anon rw", "bad number"),
                new Bad("mmap B 1000000000000 anon rw", "bad number"),
                new Bad("mmap B 4 heap rw", "unknown mapping kind"),
                new Bad("mmap B 4 anon rwx", "unknown protection"),
                new Bad("mmap B 4 anon rw populate populate", "bad mmap option"),
                new Bad("munmap A 0", "expected R START LEN"),
                new Bad("mlock Z 0 1", "unknown region"),
                new Bad("mlock A -1 1", "bad number"),
                new Bad("mlock A 4 0", "page outside region"),
                new Bad("munlock A 4 1", "page outside region"),
                new Bad("mprotect A 0 1", "mprotect R START LEN PROT"),
                new Bad("mprotect A 0 1 x", "unknown protection"),
                new Bad("touch A 0 1", "touch R START LEN read|write"),
                new Bad("touch A 0 1 exec", "touch mode must be read or write"),
                new Bad("mlock2 A 0 1 onfault x", "mlock2 R START LEN [onfault]"),
                new Bad("mlock2 A 0 1 now", "mlock2 flag must be onfault"),
                new Bad("mlockall", "mlockall FLAGS"),
                new Bad("mlockall current", "mlockall FLAGS must be future or future,onfault"),
                new Bad("munlockall now", "munlockall takes no argument"),
                new Bad("madvise A 0 1", "madvise R START LEN ADVICE"),
                new Bad("madvise A 0 1 free", "unknown advice"),
                new Bad("drain now", "drain takes no argument"),
                new Bad("check all", "check takes no argument"),
                new Bad("frobnicate", "unknown command"));
        return bad.stream().map(b -> DynamicTest.dynamicTest(b.message() + ": " + b.lastLine(), () -> {
            String text = OK + "# the error is on line 5\n" + b.lastLine() + "\n";
            ScriptException e = assertThrows(ScriptException.class, () -> ScriptRunner.run("t.script", text));
            assertEquals("t.script:5: " + b.message(), e.getMessage());
            assertEquals(5, e.line());
            // Parsing alone finds it: nothing of the script has run when the error is reported.
            assertThrows(ScriptException.class, () -> Script.parse("t.script", text));
        }));
    }

    @Test
    void mmapAfterMunmapIsAScriptError() {
        String text = "mmap A 4 anon rw\nmunmap A 0 1\nmmap B 1 anon rw\n";
        ScriptException e = assertThrows(ScriptException.class, () -> Script.parse("t.script", text));
        assertEquals("t.script:3: mmap after munmap", e.getMessage());
    }

    @Test
    void thePadAndTheInitialDrainArePartOfTheProcess() {
        // drain is MADV_COLD of the pad: it succeeds only because the pad is mapped. The initial drain
        // emptied the batches before the baseline, so the counters start at 0 and a fresh fault sits in
        // the LRU-add batch (token '-') until the script's own drain.
        String t = ScriptRunner.run("t.script", "mlockall future,onfault\nmmap A 2 anon rw\ntouch A 0 2 write\ncheck\ndrain\ncheck\n");
        List<String> lines = t.lines().toList();
        assertEquals("mlockall future,onfault = 0", lines.get(0));
        assertEquals("  A: M M", lines.get(4));
        assertEquals("  vmlck 8", lines.get(5), "only the script's mapping is locked, not the pad (mapped before)");
        assertEquals("drain = 0", lines.get(7));
        assertEquals("  A: MUL MUL", lines.get(9));
        assertTrue(lines.get(11).startsWith("  vmstat nr_mlock=2 nr_unevictable=2 "), lines.get(11));
    }

    @Test
    void corpusDiffNamesTheFirstDifferingLineAndItsCommand() {
        String expected = "mmap A 2 anon rw = 0\ncheck\n  A: - -\n  vmlck 0\n";
        String actual = "mmap A 2 anon rw = 0\ncheck\n  A: L -\n  vmlck 0\n";
        assertEquals("s: transcripts differ at line 3 (command: check)\n  expected:   A: - -\n  actual:     A: L -",
                CorpusTest.diff("s", expected, actual));
        assertEquals("s: transcripts differ at line 2 (command: check)\n  expected: check\n  actual:   <end of transcript>",
                CorpusTest.diff("s", expected, "mmap A 2 anon rw = 0\n"));
        assertEquals(null, CorpusTest.diff("s", expected, expected));
    }

    @Test
    void aScriptOfRunnerCsBufferSizeIsTooLong() {
        String line = "check # " + "x".repeat(91) + "\n"; // 100 bytes
        String ok = line.repeat(2621) + "check\n"; // 262106 bytes: fits
        assertEquals(2622, Script.parse("t.script", ok).commands().size());
        String tooLong = line.repeat(2622) + "check # " + "y".repeat(100) + "\n";
        ScriptException e = assertThrows(ScriptException.class, () -> Script.parse("t.script", tooLong));
        assertEquals("t.script:2622: script too long", e.getMessage());
    }
}
