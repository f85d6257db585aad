package io.github.foliolab.bench;

import io.github.foliolab.conformance.ScriptRunner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The whole conformance corpus on the simulator: every {@code conformance/scripts/*.script} run once
 * per operation, each on a fresh simulated machine, checked against its golden. Compare with the
 * real-kernel run recorded in conformance/scripts/README.md. Run from the repository root (or pass
 * {@code -p corpus=DIR}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(1)
public class CorpusBench {
    @Param({"conformance/scripts"})
    public String corpus;

    private final List<String> names = new ArrayList<>();
    private final List<String> scripts = new ArrayList<>();
    private final List<String> expected = new ArrayList<>();

    @Setup
    public void load() throws IOException {
        Path dir = Path.of(corpus);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".script")).sorted().toList()) {
                String base = p.getFileName().toString().replaceFirst("\\.script$", "");
                names.add(base);
                scripts.add(Files.readString(p, StandardCharsets.UTF_8));
                expected.add(Files.readString(dir.resolve(base + ".expected"), StandardCharsets.UTF_8));
            }
        }
        if (names.isEmpty()) {
            throw new IllegalStateException("no scripts in " + dir.toAbsolutePath());
        }
    }

    /** All scripts once; fails if any transcript differs from its golden. */
    @Benchmark
    public void wholeCorpus(Blackhole bh) {
        for (int i = 0; i < scripts.size(); i++) {
            String t = ScriptRunner.run(names.get(i), scripts.get(i));
            if (!t.equals(expected.get(i))) {
                throw new AssertionError(names.get(i) + ": transcript differs from its golden");
            }
            bh.consume(t);
        }
    }
}
