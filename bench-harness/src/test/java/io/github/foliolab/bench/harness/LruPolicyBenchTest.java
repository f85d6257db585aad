package io.github.foliolab.bench.harness;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.lru.BatchKind;
import io.github.foliolab.lru.FolioBatchView;
import io.github.foliolab.lru.LruBatchPolicy;
import io.github.foliolab.lru.Swap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LruPolicyBenchTest {
    /** A policy only this test knows: lru_add batches move once they hold eight folios. */
    public static final class EightAtATime implements LruBatchPolicy {
        /** For ServiceLoader-style instantiation by class name. */
        public EightAtATime() {}

        @Override
        public String name() {
            return "eight-at-a-time";
        }

        @Override
        public int batchCapacity(BatchKind kind) {
            return 31;
        }

        @Override
        public boolean moveNow(BatchKind kind, FolioBatchView batch, Folio folio, Swap swap) {
            return batch.count() >= 8 || LruBatchPolicy.super.moveNow(kind, batch, folio, swap);
        }
    }

    @Test
    void aUserPolicyByClassNameAgainstTheKernel(@TempDir Path dir) throws IOException {
        String mine = EightAtATime.class.getName();
        // In this JVM (forks 0): one short iteration, no warmup.
        List<PolicyResult> rows = LruPolicyBench.run(new BenchSettings(List.of("kernel", mine), List.of(1), 0, 1,
                Duration.ofMillis(200), 0, true, true));
        assertEquals(2, rows.size());
        PolicyResult kernel = rows.get(0);
        PolicyResult user = rows.get(1);
        assertEquals("kernel", kernel.policy());
        assertEquals(mine, user.policy());
        // 992 folios = 32 full batches of 31 (kernel) or 124 moves of 8 (the user's rule); the drain finds
        // the batch empty and takes no lock.
        assertEquals(1 / 31.0, kernel.lruLockPerFolio(), 1e-12);
        assertEquals(1 / 8.0, user.lruLockPerFolio(), 1e-12);
        for (PolicyResult r : rows) {
            assertTrue(r.foliosPerUs() > 0, r.toString());
            assertTrue(r.cpuNsPerFolio() > 0, r.toString());
            assertTrue(r.bytesPerFolio() >= 0, r.toString());
        }
        String table = LruPolicyBench.write(rows, dir);
        assertTrue(table.startsWith(PolicyReport.HEADER), table);
        assertTrue(table.contains("| " + mine + " | 1 | "), table);
        assertTrue(table.contains("| 1/8.0 (0.1250) |"), table);
        assertTrue(table.contains("| 1/31.0 (0.0323) |"), table);
        assertEquals(table, Files.readString(dir.resolve("report.md")));
        byte[] png = Files.readAllBytes(dir.resolve("chart.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
    }

    @Test
    void anUnknownPolicyIsAUsageErrorBeforeAnyRun() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LruPolicyBench.run(
                BenchSettings.of(List.of("kernel", "no-such-policy"))));
        assertTrue(e.getMessage().contains("no-such-policy"), e.getMessage());
        assertEquals(2, new picocli.CommandLine(new LruPolicyBench()).execute("--quiet", "com.example.Missing"));
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new BenchSettings(List.of(), List.of(1), 0, 1,
                Duration.ofMillis(1), 0, true, true));
        assertThrows(IllegalArgumentException.class, () -> new BenchSettings(List.of("kernel"), List.of(0), 0, 1,
                Duration.ofMillis(1), 0, true, true));
        assertThrows(IllegalArgumentException.class, () -> new BenchSettings(List.of("kernel"), List.of(1), 0, 0,
                Duration.ofMillis(1), 0, true, true));
        assertThrows(IllegalArgumentException.class, () -> new BenchSettings(List.of("kernel"), List.of(1), 0, 1,
                Duration.ZERO, 0, true, true));
    }
}
