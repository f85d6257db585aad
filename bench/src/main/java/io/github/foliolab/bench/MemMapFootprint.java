package io.github.foliolab.bench;

import io.github.foliolab.folio.Node;
import io.github.foliolab.folio.api.PageLayout;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * (c) Bytes per simulated page: boot a node of {@code pages} 4 KiB pages (16 Mi pages = 64 GiB simulated,
 * 12 Mi of them in ZONE_MOVABLE) and report the process RSS, the RSS the boot added per page, the off-heap
 * descriptor bytes per page and the Java heap in use. One boot per fork (single shot).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms64m", "-Xmx512m"})
public class MemMapFootprint {
    @Param({"16777216"})
    public long pages;

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Footprint {
        public double rssMiB;
        public double rssBytesPerPage;
        public double offHeapBytesPerPage;
        public double heapUsedMiB;

        @Setup(Level.Iteration)
        public void clear() {
            rssMiB = rssBytesPerPage = offHeapBytesPerPage = heapUsedMiB = 0;
        }
    }

    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    @Benchmark
    public Node boot(Footprint fp) {
        System.gc();
        long before = rssBytes();
        Node node = Node.boot(pages / 4, pages - pages / 4);
        System.gc();
        long after = rssBytes();
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        fp.rssMiB = after / (1024.0 * 1024.0);
        fp.rssBytesPerPage = (after - before) / (double) pages;
        fp.offHeapBytesPerPage = node.memMap().segment().byteSize() / (double) pages;
        fp.heapUsedMiB = heap.getUsed() / (1024.0 * 1024.0);
        if (node.memMap().segment().byteSize() != pages * PageLayout.PAGE_DESC_SIZE) {
            throw new AssertionError("memmap is not 64 B per page");
        }
        return node;
    }
}
