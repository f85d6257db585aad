package io.github.foliolab.conformance;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/kernel-map.md is generated from the Javadoc of every module by scripts/kernel-map.py; this test
 * reruns the generator in its checking mode (python3, offline: the Linux 7.2 function list is
 * scripts/linux-7.2-functions.txt) and fails when the checked-in map is stale or a Javadoc names a
 * function that Linux 7.2 does not have.
 */
class KernelMapTest {
    static final String REGENERATE = "python3 scripts/kernel-map.py";

    @Test
    void kernelMapIsUpToDate() throws IOException, InterruptedException {
        Path root = DocsCiteRepositoryTest.root();
        Path log = Files.createTempFile("kernel-map", ".log"); // a file: a full pipe cannot block the script
        Process p = new ProcessBuilder("python3", "scripts/kernel-map.py", "--check")
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertTrue(done, "scripts/kernel-map.py --check did not finish in 120 s");
        assertEquals(0, p.exitValue(), "scripts/kernel-map.py --check failed: fix the Javadoc it names, or, if the map"
                + " is only stale, run `" + REGENERATE + "` from the repository root and commit docs/kernel-map.md:\n"
                + out);
    }
}
