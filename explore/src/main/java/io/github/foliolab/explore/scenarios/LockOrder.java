package io.github.foliolab.explore.scenarios;

import io.github.foliolab.explore.Explore;
import io.github.foliolab.explore.Scenario;
import io.github.foliolab.explore.Variant;
import io.github.foliolab.explore.World;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.sync.SpinLock;

import java.util.List;

/**
 * ABBA lock ordering on two spinlocks: the explorer must report the cycle of blocked CPUs. The
 * {@code ordered} variant takes both locks in one order and cannot deadlock.
 */
public final class LockOrder extends Scenario<LockOrder.Order> {
    /** Instantiated by ServiceLoader ({@code provides io.github.foliolab.explore.Scenario with ...}). */
    public LockOrder() {}

    /**
     * The order in which each CPU takes the two locks.
     *
     * @param firstL2 for each CPU, true if it takes L2 before L1
     */
    public record Order(boolean... firstL2) {}

    /** {@code abba}: CPU A takes L1 then L2, CPU B L2 then L1; the deadlock is found (a violation). */
    public static final Variant<Order> ABBA = new Variant<>("abba", "CPU A takes L1 then L2, CPU B takes L2 then L1",
            Variant.Expect.VIOLATION, new Order(false, true));
    /** {@code ordered}: both CPUs take L1 then L2; clean. */
    public static final Variant<Order> ORDERED = new Variant<>("ordered", "both CPUs take L1 then L2", Variant.Expect.CLEAN,
            new Order(false, false));

    @Override
    public String name() {
        return "lock-order";
    }

    @Override
    public String summary() {
        return "two spinlocks taken in opposite orders (ABBA deadlock)";
    }

    @Override
    public List<Variant<Order>> variants() {
        return List.of(ABBA, ORDERED);
    }

    @Override
    public World build(Variant<Order> variant) {
        Machine m = Machine.bootGcManaged(2, 512, 0);
        SpinLock l1 = new SpinLock("L1");
        SpinLock l2 = new SpinLock("L2");
        Order order = variant.behaviour();
        return new World(m) {
            @Override
            protected Runnable saveState() {
                return io.github.foliolab.folio.Restorable.saveAll(l1, l2); // the world's own locks
            }

            @Override
            public int nrCpus() {
                return 2;
            }

            @Override
            protected void run(int cpu) {
                SpinLock first = order.firstL2()[cpu] ? l2 : l1;
                SpinLock second = first == l1 ? l2 : l1;
                Explore.call("critical_section()", () -> {
                    first.lock();
                    second.lock();
                    second.unlock();
                    first.unlock();
                });
            }
        };
    }
}
