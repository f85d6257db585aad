package io.github.foliolab.explore;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.PageTable;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * PTE reads and writes are schedule points the explorer controls: two CPUs each set one bit in the same
 * PTE. Read under the PTL, the updates cannot be lost; read locklessly (ptep_get_lockless, as GUP-fast
 * does) and written back under the PTL, one CPU overwrites the other's bit.
 */
class PteScheduleTest {
    static final long ADDR = 0x7f0000000000L;
    static final long[] BIT = {1L << 52, 1L << 53};

    static final Variant<Boolean> LOCKED = new Variant<>("locked", "ptep_get and set_pte_at under the PTL",
            Variant.Expect.CLEAN, false);
    static final Variant<Boolean> LOCKLESS_READ = new Variant<>("lockless-read",
            "ptep_get_lockless, then set_pte_at under the PTL", Variant.Expect.VIOLATION, true);

    static final class PteUpdate extends Scenario<Boolean> {
        @Override
        public String name() {
            return "pte-update";
        }

        @Override
        public String summary() {
            return "two CPUs set one bit each in the same PTE";
        }

        @Override
        public List<Variant<Boolean>> variants() {
            return List.of(LOCKED, LOCKLESS_READ);
        }

        @Override
        public World build(Variant<Boolean> variant) {
            Machine m = Machine.bootGcManaged(2, 512, 0);
            PageTable table = Mm.of(m).newMm().pageTables().alloc(ADDR);
            boolean lockless = variant.behaviour();
            return new World(m) {
                @Override
                public int nrCpus() {
                    return 2;
                }

                @Override
                protected void run(int cpu) {
                    Explore.call("update_pte(" + Trace.cpuName(cpu) + ")", () -> {
                        long v = lockless ? table.ptepGetLockless(ADDR) : 0;
                        table.ptl().lock();
                        if (!lockless) {
                            v = table.ptepGet(ADDR);
                        }
                        table.setPteAt(ADDR, v | BIT[cpu]);
                        table.ptl().unlock();
                    });
                }

                @Override
                protected void check(Checks c) {
                    long v = table.peek(ADDR);
                    if (v != (BIT[0] | BIT[1])) {
                        c.violation("lost-pte-update", "PTE is 0x" + Long.toHexString(v) + ", both bits expected");
                    }
                }
            };
        }
    }

    @Test
    void underThePtlNoUpdateIsLost() {
        Result r = Explorer.explore(new PteUpdate(), LOCKED, Options.dfs(3));
        assertEquals(Result.Verdict.NO_VIOLATION, r.verdict(), r.verdictLine());
        assertTrue(r.exhausted());
        assertTrue(r.schedules() > 1, r.verdictLine());
    }

    @Test
    void aLocklessReadLosesAnUpdateAndTheTableShowsThePteSteps() {
        Result r = Explorer.explore(new PteUpdate(), LOCKLESS_READ, Options.dfs(1));
        assertTrue(r.violated(), r.verdictLine());
        assertTrue(r.message().startsWith("lost-pte-update"), r.message());
        String table = TraceTable.render(r.trace());
        assertTrue(table.contains("ptep_get(0x7f0000000000) = 0"), table);
        assertTrue(table.contains("set_pte_at(0x7f0000000000)"), table);
        // Both CPUs read the PTE before either wrote it.
        List<String> steps = r.sharedSteps();
        int lastRead = Math.max(steps.indexOf("A: ptep_get(0x7f0000000000) = 0"),
                steps.indexOf("B: ptep_get(0x7f0000000000) = 0"));
        int firstWrite = steps.stream().filter(s -> s.contains("set_pte_at(")).map(steps::indexOf).min(Integer::compare).orElseThrow();
        assertTrue(lastRead >= 0 && lastRead < firstWrite, steps.toString());
    }
}
