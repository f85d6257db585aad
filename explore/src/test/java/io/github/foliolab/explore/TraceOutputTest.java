package io.github.foliolab.explore;

import io.github.foliolab.explore.scenarios.MunlockPutback;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The three renderings of the R1 counterexample: the table, the JSON export, the Perfetto trace. */
class TraceOutputTest {
    /** The minimal R1 counterexample (one preemption), replayed. */
    private static Result r1() {
        Result found = Explorer.explore(new MunlockPutback(), MunlockPutback.AS_IS, Options.dfs(1));
        assertTrue(found.violated(), found.verdictLine());
        return Explorer.explore(new MunlockPutback(), MunlockPutback.AS_IS, Options.replay(found.schedule()));
    }

    @Test
    void theTableFoldsCpuLocalStepsAndClosesEveryFunction() {
        Result r = r1();
        String table = TraceTable.render(r.trace());
        // CPU-local steps (local_lock, the per-CPU batch add) are recorded but folded out of the table.
        assertTrue(r.trace().rows().stream().anyMatch(row -> row.kind() == Trace.Kind.STEP && !row.shared()
                && row.call().startsWith("local_lock(")), r.trace().rows().toString());
        assertFalse(table.contains("local_lock("), table);
        assertFalse(table.contains("folio_batch_add("), table);
        // Kernel function names with their results.
        assertTrue(table.contains("folio_test_clear_lru(F) = false"), table);
        assertTrue(table.contains("folio_isolate_lru(F) {"), table);
        assertTrue(table.contains("} = true"), table);
        // Every "{" has its "}" in the same column: the nesting is unambiguous.
        int cpus = r.trace().cpus();
        int[] open = new int[cpus];
        for (String line : table.lines().skip(2).toList()) {
            String[] cells = line.split("\\|", -1);
            for (int c = 0; c < cpus; c++) {
                String cell = cells[c + 2].strip();
                if (cell.endsWith("{")) open[c]++;
                if (cell.startsWith("}")) open[c]--;
                assertTrue(open[c] >= 0, table);
            }
        }
        assertArrayEquals(new int[cpus], open, table);
        // Shared steps are numbered 1..n without gaps.
        List<Integer> numbers = table.lines().skip(2).map(l -> l.split("\\|")[1].strip())
                .filter(s -> !s.isEmpty()).map(Integer::parseInt).toList();
        for (int i = 0; i < numbers.size(); i++) {
            assertEquals(i + 1, numbers.get(i), table);
        }
    }

    @Test
    void theJsonExportHasEveryEventFoldedOnesMarked() {
        Result r = r1();
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) MiniJson.parse(TraceJson.render(r));
        assertEquals("VIOLATION", json.get("verdict"));
        assertEquals(r.schedule(), json.get("schedule"));
        assertTrue(String.valueOf(json.get("model")).contains("sequentially consistent"));
        List<?> events = (List<?>) json.get("events");
        assertEquals(r.trace().rows().size(), events.size());
        assertTrue(events.stream().anyMatch(e -> Boolean.FALSE.equals(((Map<?, ?>) e).get("shared"))));
    }

    @Test
    void thePerfettoTraceHasTheFieldsTheUiNeeds() throws Exception {
        Path file = Files.createTempFile("r1", ".json");
        CliTest.Run run = CliTest.cli("munlock-putback", "--bound", "1", "--trace-out", file.toString());
        assertEquals(1, run.status(), run.err());
        Map<?, ?> root = (Map<?, ?>) MiniJson.parse(Files.readString(file));
        List<?> events = (List<?>) root.get("traceEvents");
        assertNotNull(events);
        Map<Object, Deque<Object>> open = new HashMap<>();
        Map<Object, String> threadNames = new HashMap<>();
        int slices = 0;
        for (Object o : events) {
            Map<?, ?> e = (Map<?, ?>) o;
            String ph = (String) e.get("ph");
            assertNotNull(ph, e.toString());
            assertNotNull(e.get("pid"), e.toString());
            if (ph.equals("M")) {
                assertNotNull(e.get("name"), e.toString());
                if ("thread_name".equals(e.get("name"))) {
                    threadNames.put(e.get("tid"), String.valueOf(((Map<?, ?>) e.get("args")).get("name")));
                }
                continue;
            }
            assertNotNull(e.get("tid"), e.toString());
            assertTrue(e.get("ts") instanceof Number, e.toString());
            switch (ph) {
                case "X" -> {
                    assertNotNull(e.get("name"), e.toString());
                    assertTrue(((Number) e.get("dur")).doubleValue() > 0, e.toString());
                    slices++;
                }
                case "B" -> {
                    assertNotNull(e.get("name"), e.toString());
                    open.computeIfAbsent(e.get("tid"), k -> new ArrayDeque<>()).push(e.get("name"));
                }
                case "E" -> assertNotNull(open.get(e.get("tid")).poll(), "E without B: " + e);
                case "i" -> assertNotNull(e.get("name"), e.toString());
                default -> fail("unexpected phase " + ph);
            }
        }
        assertEquals(Map.of(1.0, "CPU A", 2.0, "CPU B"), normalise(threadNames));
        assertTrue(slices >= r1().steps(), "one slice per shared step at least");
        open.values().forEach(d -> assertTrue(d.isEmpty(), "unclosed B: " + d));
    }

    private static Map<Double, String> normalise(Map<Object, String> m) {
        Map<Double, String> r = new HashMap<>();
        m.forEach((k, v) -> r.put(((Number) k).doubleValue(), v));
        return r;
    }

    @Test
    void pctWithOneSeedGivesTheSameBytesOnTheKernelScenario() {
        CliTest.Run a = CliTest.cli("munlock-putback", "--strategy", "pct", "--seed", "7", "--schedules", "3000");
        CliTest.Run b = CliTest.cli("munlock-putback", "--strategy", "pct", "--seed", "7", "--schedules", "3000");
        assertEquals(1, a.status(), a.out());
        assertEquals(a.out(), b.out());
        assertTrue(a.out().matches("(?s).*probability >= 1/\\(n\\*k\\^\\(d-1\\)\\) = 1/\\d+ \\(n = 2 CPUs, k = \\d+ steps\\).*"), a.out());
    }

    @Test
    void objectNamesDoNotDependOnWhatRanBeforeInTheJvm() {
        String first = TraceTable.render(r1().trace());
        // Other scenarios create their own locks, kworkers and folios in between.
        assertTrue(Explorer.explore(new io.github.foliolab.explore.scenarios.DrainAll(),
                io.github.foliolab.explore.scenarios.DrainAll.AS_IS, Options.dfs(1)).exhausted());
        assertTrue(Explorer.explore(new io.github.foliolab.explore.scenarios.LockOrder(),
                io.github.foliolab.explore.scenarios.LockOrder.ABBA, Options.dfs(1)).violated());
        String again = TraceTable.render(r1().trace());
        assertEquals(first, again);
        assertTrue(first.contains("spin_lock_irq(&lruvec->lru_lock)"), first);
        assertFalse(first.matches("(?s).*(@[0-9a-f]{4,}|#\\d{3,}).*"), "identity-like names: " + first);
    }
}
