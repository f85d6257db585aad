package org.example.foliolab;

import io.github.foliolab.bench.harness.BenchSettings;
import io.github.foliolab.bench.harness.LruPolicyBench;
import io.github.foliolab.bench.harness.PolicyResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The published benchmark harness run on this project's policy: one short iteration in one forked JVM each. */
class PolicyBenchTest {
    @Test
    void eightAtATimeTakesLruLockOncePerEightFolios() throws Exception {
        String mine = EightAtATime.class.getName();
        List<PolicyResult> rows = LruPolicyBench.run(new BenchSettings(List.of("kernel", mine), List.of(1), 0, 1,
                Duration.ofMillis(300), 1, true, true));
        String table = LruPolicyBench.write(rows, Path.of("target", "lru-policy-bench"));
        assertTrue(table.contains("| " + mine + " | 1 | "), table);
        assertEquals(1 / 8.0, rows.get(1).lruLockPerFolio(), 1e-12, table);
        assertEquals(1 / 31.0, rows.get(0).lruLockPerFolio(), 1e-12, table);
        assertTrue(Files.size(Path.of("target", "lru-policy-bench", "chart.png")) > 0);
    }
}
