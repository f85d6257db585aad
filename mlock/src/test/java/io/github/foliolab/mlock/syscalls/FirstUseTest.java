package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.lru.LruVec;
import io.github.foliolab.lru.RmapOps;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.lru.Vmscan;
import io.github.foliolab.mlock.Mlock;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MlockSyscalls;
import io.github.foliolab.mm.Task;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * First use of a freshly built machine from two threads at once, on every module: nothing is attached
 * lazily, so the first folio_add_lru_vma into a VM_LOCKED VMA (mm -> lru -> the folio half of mlock) and
 * a concurrent lru_add_drain on another CPU (lru -> mlock_drain_local) always find everything wired.
 * Before the machine builder, the mlock hooks were installed on first use and this raced (about one
 * round in seven failed).
 */
class FirstUseTest {
    private static final int ROUNDS = 10_000;

    @Test
    void everyModuleIsWiredBeforeBuildReturns() {
        try (Machine m = Machine.builder().cpus(2).zones(512, 0).build()) {
            assertEquals(List.of("lru", "mm", "gup", "mlock"), m.modules());
            Mm mm = Mm.of(m);
            assertInstanceOf(MlockSys.class, mm.mlockSyscalls());
            assertSame(mm.rmapWalk(), Vmscan.of(m).rmapOps());
            assertSame(Mlock.of(m), Swap.of(m).mlock());
            assertSame(LruVec.of(m), Swap.of(m).lruvec());
        }
    }

    @Test
    void twoThreadsOnAFreshMachine() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int round = 0; round < ROUNDS && failure.get() == null; round++) {
            try (Machine m = Machine.builder().cpus(2).zones(512, 0).gcManaged(true).build()) {
                Task a = new Task(m, m.cpu(0));
                Task b = new Task(m, m.cpu(1));
                CyclicBarrier go = new CyclicBarrier(2);
                long[] addr = new long[1];
                Thread ta = Thread.ofPlatform().start(() -> {
                    try {
                        go.await(10, TimeUnit.SECONDS);
                        // MAP_LOCKED: the fault's folio_add_lru_vma goes to mlock_new_folio.
                        addr[0] = a.mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, null, 0);
                        assertEquals(0, a.touch(addr[0], true));
                        a.cpu().run(() -> Swap.of(m).lruAddDrain());
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                });
                Thread tb = Thread.ofPlatform().start(() -> {
                    try {
                        go.await(10, TimeUnit.SECONDS);
                        b.cpu().run(() -> Swap.of(m).lruAddDrain());
                        assertEquals(0, b.mlockall(MCL_FUTURE));
                        assertEquals(0, b.munlockall());
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                });
                ta.join(10_000);
                tb.join(10_000);
                assertFalse(ta.isAlive() || tb.isAlive(), "round " + round + " hung");
                if (failure.get() != null) {
                    fail("round " + round + ": " + failure.get(), failure.get());
                }
                assertEquals(1, m.vmstat().zoneSum(ZoneStatItem.NR_MLOCK), "round " + round + ": one page mlocked");
                assertTrue(a.kpageflags(addr[0]) >= 0);
            }
        }
    }

    @Test
    void aModuleMissingFromTheMachineIsAClearErrorNotALazyAttach() {
        MlockModule mlockOnly = new MlockModule();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Machine.builder().modules(List.of(mlockOnly)).build());
        assertTrue(e.getMessage().contains("needs module mm"), e.getMessage());
    }

    @Test
    void withoutTheMlockModuleTheSyscallsAreEnosysAndMapLockedStillWorks() {
        try (Machine m = Machine.builder().modules(List.of(new io.github.foliolab.lru.LruModule(),
                new io.github.foliolab.mm.MmModule())).zones(512, 0).build()) {
            assertSame(MlockSyscalls.ENOSYS, Mm.of(m).mlockSyscalls());
            Task t = new Task(m, m.cpu(0));
            long a = t.mmap(0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
            assertEquals(-38, t.mlock(a, PAGE_SIZE), "-ENOSYS");
            assertEquals(-38, t.mlockall(MCL_CURRENT));
            assertEquals(0L, t.mm().lockedVm(), "nothing locked by a rejected call");
            long l = t.mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, null, 0);
            assertTrue(l > 0);
            assertEquals(0, t.touch(l, true));
            assertEquals(1, m.vmstat().zoneSum(ZoneStatItem.NR_MLOCK), "MAP_LOCKED needs only mm and lru");
        }
    }

    @Test
    void anUpwardCallProvidedTwiceIsRefused() {
        io.github.foliolab.folio.spi.MachineModule second = new io.github.foliolab.folio.spi.MachineModule() {
            @Override
            public String name() {
                return "second-rmap";
            }

            @Override
            public void attach(Machine.Assembly a) {
                a.provide(RmapOps.class, RmapOps.NONE);
            }

            @Override
            public java.util.Set<String> after() {
                return java.util.Set.of("mm");
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Machine.builder().zones(512, 0).withModule(second).build());
        assertTrue(e.getMessage().contains("already provided by module mm"), e.getMessage());
    }
}
