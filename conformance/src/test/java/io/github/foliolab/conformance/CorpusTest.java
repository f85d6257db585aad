package io.github.foliolab.conformance;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs every NAME.script of the corpus (conformance/scripts, format v1, and conformance/scripts/v2, format
 * v2, named v2/NAME) on the simulator and compares the transcript byte for byte with its golden NAME.expected; a
 * script without a golden fails. Scripts listed in known-failures.txt ("NAME reason...") must still fail, so that
 * fixing one forces its removal from the list.
 */
class CorpusTest {
    static final Path DIR = Path.of("scripts");
    static final Path V2_DIR = DIR.resolve("v2");
    static final Path KNOWN = Path.of("known-failures.txt");

    static Map<String, String> knownFailures() throws IOException {
        Map<String, String> m = new TreeMap<>();
        if (!Files.exists(KNOWN)) return m;
        for (String l : Files.readAllLines(KNOWN, StandardCharsets.UTF_8)) {
            String s = l.strip();
            if (s.isEmpty() || s.startsWith("#")) continue;
            int sp = s.indexOf(' ');
            m.put(sp < 0 ? s : s.substring(0, sp), sp < 0 ? "" : s.substring(sp + 1).strip());
        }
        return m;
    }

    /** The first difference as a readable message, or null when equal. */
    static String diff(String name, String expected, String actual) {
        if (expected.equals(actual)) return null;
        List<String> e = expected.lines().toList();
        List<String> a = actual.lines().toList();
        int n = Math.max(e.size(), a.size());
        for (int i = 0; i < n; i++) {
            String el = i < e.size() ? e.get(i) : "<end of transcript>";
            String al = i < a.size() ? a.get(i) : "<end of transcript>";
            if (!el.equals(al)) {
                return name + ": transcripts differ at line " + (i + 1) + " (command: "
                        + ScriptRunner.commandOfLine(e, i) + ")\n  expected: " + el + "\n  actual:   " + al;
            }
        }
        return name + ": transcripts differ in line endings or trailing text";
    }

    static String runOne(Path script) {
        try {
            return ScriptRunner.run(script);
        } catch (Exception | Error ex) {
            return "<simulator threw " + ex + ">";
        }
    }

    @TestFactory
    Stream<DynamicTest> corpus() throws IOException {
        assertTrue(Files.isDirectory(DIR), "corpus directory " + DIR.toAbsolutePath() + " missing");
        Map<String, String> known = knownFailures();
        List<Path> scripts = new ArrayList<>();
        // Format v1 scripts in scripts/, format v2 scripts in scripts/v2/ (named "v2/NAME").
        for (Path dir : List.of(DIR, V2_DIR)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".script")).sorted().forEach(scripts::add);
            }
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path p : scripts) {
            String name = DIR.relativize(p).toString().replace('\\', '/').replaceFirst("\\.script$", "");
            Path golden = DIR.resolve(name + ".expected");
            if (!Files.exists(golden)) {
                // Goldens come only from real-kernel runs; a script that has none cannot stay in the corpus.
                tests.add(DynamicTest.dynamicTest("golden-exists:" + name, () -> fail(name
                        + ".script has no golden " + name + ".expected: record it on the real kernel "
                        + "(real-kernel.sh --record) or remove the script")));
                continue;
            }
            tests.add(DynamicTest.dynamicTest(name, () -> {
                String expected = Files.readString(golden, StandardCharsets.UTF_8);
                String actual = runOne(p);
                String d = diff(name, expected, actual);
                if (known.containsKey(name)) {
                    assertTrue(d != null, name + " now passes: remove it from known-failures.txt");
                } else if (d != null) {
                    fail(d);
                }
            }));
        }
        for (String k : known.keySet()) {
            tests.add(DynamicTest.dynamicTest("known-failure-exists:" + k, () -> assertTrue(
                    Files.exists(DIR.resolve(k + ".expected")), "known-failures.txt names " + k + " which has no golden")));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> scriptErrors() {
        record Bad(String text, String message) {}
        List<Bad> bad = List.of(
                new Bad("mmap A 4 anon rw\nfrobnicate A\n", "t.script:2: unknown command"),
                new Bad("mmap A 4x anon rw\n", "t.script:1: bad number"),
                new Bad("mmap A 4 anon rw\ntouch A 3 2 read\n", "t.script:2: page outside region"),
                new Bad("mmap A 4 anon rw\nmunmap A 0 1\n# c\nmmap B 1 anon rw\n", "t.script:4: mmap after munmap"),
                new Bad("touch Z 0 1 read\n", "t.script:1: unknown region"),
                // Format v2's script errors, as runner.c reports them.
                new Bad("mmap A 1 anon rw\nformat 2\n", "t.script:2: format 2 must be the first command line"),
                new Bad("mmap A 1 anon rw\nmove A 0 1 1\n", "t.script:2: unknown command"),
                new Bad("format 2\non 1 mmap A 1 anon rw\n", "t.script:2: command not taken by on 1"),
                new Bad("format 2\non 1 on 1 drain\n", "t.script:2: command not taken by on 1"),
                new Bad("format 2\nchild drain\n", "t.script:2: child with no child"),
                new Bad("format 2\nfork\nfork\n", "t.script:3: fork while a child exists"),
                new Bad("format 2\nexit\n", "t.script:2: exit with no child"),
                new Bad("format 2\nmmap A 1 anon rw\nunpin A 0 1\n", "t.script:3: unpin of a range with no live pin"),
                new Bad("format 2\nmmap A 1 anon rw\nmmap B 1 file@A r\n",
                        "t.script:3: file@S names no file or file-private region"),
                new Bad("format 2\nmmap A 1 file rw\nmmap B 2 file-private@A r\n",
                        "t.script:3: file@S asks for more pages than S's file has"),
                new Bad("format 2\nmmap A 1 anon rw\nmove A 0 2 1\n", "t.script:3: page outside region"),
                new Bad("mmap A 1 anon rw\nmadvise A 0 1 free\n", "t.script:2: unknown advice"));
        return bad.stream().map(b -> DynamicTest.dynamicTest(b.message, () -> {
            try {
                ScriptRunner.run("t.script", b.text);
                fail("no ScriptException for " + b.text);
            } catch (ScriptException e) {
                assertEquals(b.message, e.getMessage());
            }
        }));
    }
}
