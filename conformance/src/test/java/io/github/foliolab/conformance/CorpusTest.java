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
 * Runs every NAME.script of the corpus (conformance/scripts) that has a golden NAME.expected on the
 * simulator and compares the transcripts byte for byte. Scripts listed in known-failures.txt
 * ("NAME reason...") must still fail, so that fixing one forces its removal from the list.
 */
class CorpusTest {
    static final Path DIR = Path.of("scripts");
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
        try (Stream<Path> s = Files.list(DIR)) {
            s.filter(p -> p.getFileName().toString().endsWith(".script")).sorted().forEach(scripts::add);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path p : scripts) {
            String name = p.getFileName().toString().replaceFirst("\\.script$", "");
            Path golden = DIR.resolve(name + ".expected");
            if (!Files.exists(golden)) continue;
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
                new Bad("touch Z 0 1 read\n", "t.script:1: unknown region"));
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
