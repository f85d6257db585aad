package io.github.foliolab.bench;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.PageLayout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * Foundations benchmarks: (a) the physical limit, a bare VarHandle getAndAdd / compareAndSet on the
 * off-heap segment at the _refcount offset; (b) the library's folio_get + folio_put and
 * folio_test_set/clear on the memmap, which carry the DEBUG_VM checks and the (uninstalled) schedule
 * points.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AtomicsBaseline {
    private static final VarHandle REF = PageLayout.PAGE.varHandle(groupElement("_refcount"));
    private static final VarHandle FLAGS = PageLayout.PAGE.varHandle(groupElement("flags"));

    private Machine machine;
    private MemMap mm;
    private MemorySegment seg;
    private Folio folio;
    private long pfn;
    private long off;

    @Setup(Level.Trial)
    public void setup() {
        machine = Machine.boot(1, 4096, 0);
        mm = machine.memMap();
        folio = machine.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        pfn = folio.pfn();
        seg = PageWords.segment(mm);
        off = pfn * PageLayout.PAGE_DESC_SIZE;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        mm.close();
    }

    /** (a) bare getAndAdd(+1) then getAndAdd(-1) on the refcount word. */
    @Benchmark
    public int bareGetAndAddPair() {
        REF.getAndAdd(seg, off, 1);
        return (int) REF.getAndAdd(seg, off, -1);
    }

    /** (a) bare compareAndSet inc then dec, the shape of a checked update. */
    @Benchmark
    public boolean bareCasPair() {
        int v = (int) REF.getOpaque(seg, off);
        REF.compareAndSet(seg, off, v, v + 1);
        return REF.compareAndSet(seg, off, v + 1, v);
    }

    /** (a) bare getAndBitwiseOr / getAndBitwiseAnd on the flags word. */
    @Benchmark
    public long bareBitPair() {
        long m = 1L << PageFlags.PG_referenced;
        FLAGS.getAndBitwiseOr(seg, off, m);
        return (long) FLAGS.getAndBitwiseAnd(seg, off, ~m);
    }

    /** (b) folio_get + folio_put through the library. */
    @Benchmark
    public boolean folioGetPut() {
        mm.get(pfn);
        return mm.put(pfn);
    }

    /** (b) folio_test_set_referenced + folio_test_clear_referenced through the library. */
    @Benchmark
    public boolean folioTestSetClear() {
        mm.testSetFlag(pfn, PageFlags.PG_referenced);
        return mm.testClearFlag(pfn, PageFlags.PG_referenced);
    }
}
