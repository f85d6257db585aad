package io.github.foliolab.explore;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * docs/findings.md stays true: every CPU table it shows is what the explorer prints for that scenario,
 * variant and schedule today ({@code <!-- table: SCENARIO VARIANT SCHEDULE -->} before the fenced block),
 * and every real-kernel transcript it quotes is the golden file it names
 * ({@code <!-- golden: PATH -->}).
 */
class FindingsDocTest {
    private static final Pattern MARKER = Pattern.compile("<!-- (table|golden): (.+?) -->");

    @AfterEach
    void noThreadLeft() {
        assertEquals(0, Engine.LIVE_WORKERS.get(), "worker threads outlived their explorer");
    }

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("docs/findings.md"))) {
            p = p.getParent();
        }
        assertNotNull(p, "docs/findings.md not found above " + Path.of("").toAbsolutePath());
        return p;
    }

    /** The fenced block after {@code from}. */
    private static String blockAfter(String doc, int from) {
        int open = doc.indexOf("```", from);
        int start = doc.indexOf('\n', open) + 1;
        int close = doc.indexOf("\n```", start);
        return doc.substring(start, close + 1);
    }

    @Test
    void everyTableAndTranscriptIsWhatTheToolsPrint() throws IOException {
        Path root = root();
        String doc = Files.readString(root.resolve("docs/findings.md"));
        Matcher m = MARKER.matcher(doc);
        List<String> checked = new ArrayList<>();
        while (m.find()) {
            String shown = blockAfter(doc, m.end());
            if (m.group(1).equals("golden")) {
                String golden = Files.readString(root.resolve(m.group(2)));
                assertEquals(golden, shown, "docs/findings.md quotes " + m.group(2) + " wrongly");
            } else {
                String[] a = m.group(2).split(" ");
                assertEquals(3, a.length, m.group());
                assertEquals(table(a[0], a[1], a[2]), shown, "docs/findings.md: the table of " + m.group(2)
                        + " is not what explore --replay prints");
            }
            checked.add(m.group(2));
        }
        assertTrue(checked.size() >= 8, "expected the tables of every registered race and the transcript: " + checked);
        for (var s : Races.all()) {
            if (!s.getClass().getPackageName().equals("io.github.foliolab.explore.scenarios")) continue; // a test's own
            assertTrue(checked.stream().anyMatch(c -> c.startsWith(s.name() + " ")), "docs/findings.md has no table of " + s.name());
        }
    }

    private static String table(String scenario, String variant, String schedule) {
        var s = Races.byName(scenario);
        assertNotNull(s, scenario);
        return render(s, variant, schedule);
    }

    private static <B> String render(io.github.foliolab.explore.Scenario<B> s, String variant, String schedule) {
        Result r = Explorer.explore(s, s.variant(variant), Options.replay(schedule));
        return TraceTable.render(r.trace());
    }
}
