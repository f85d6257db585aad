package io.github.foliolab.explore.user;

import io.github.foliolab.explore.Checks;
import io.github.foliolab.explore.Explore;
import io.github.foliolab.explore.Scenario;
import io.github.foliolab.explore.Variant;
import io.github.foliolab.explore.World;
import io.github.foliolab.folio.Machine;

import java.util.List;

/**
 * A user's scenario, registered from the test class path through
 * {@code META-INF/services/io.github.foliolab.explore.Scenario}: two CPUs and two {@link TicketLock}s.
 * Each variant's behaviour is the body both CPUs run, given the CPU and the two locks.
 */
public final class TicketLockScenario extends Scenario<TicketLockScenario.Body> {
    /** What a CPU runs, given its number and the locks T1 and T2. */
    @FunctionalInterface
    public interface Body {
        void run(int cpu, TicketLock t1, TicketLock t2);
    }

    public static final Variant<Body> ABBA = new Variant<>("abba", "CPU A takes T1 then T2, CPU B T2 then T1",
            Variant.Expect.VIOLATION, (cpu, t1, t2) -> {
                TicketLock first = cpu == 0 ? t1 : t2;
                TicketLock second = cpu == 0 ? t2 : t1;
                first.lock();
                second.lock();
                second.unlock();
                first.unlock();
            });
    public static final Variant<Body> ORDERED = new Variant<>("ordered", "both CPUs take T1 then T2, and CPU B "
            + "tries T1 first (a trylock that fails is not held)", Variant.Expect.CLEAN, (cpu, t1, t2) -> {
                if (cpu == 1 && t1.tryLock()) {
                    t1.unlock();
                }
                t1.lock();
                t2.lock();
                t2.unlock();
                t1.unlock();
            });
    public static final Variant<Body> TRY_LEAK = new Variant<>("try-leak", "CPU B returns holding T1 taken "
            + "with ticket_trylock", Variant.Expect.VIOLATION, (cpu, t1, t2) -> {
                if (cpu == 1) {
                    t1.tryLock();
                }
            });

    @Override
    public String name() {
        return "ticket-locks";
    }

    @Override
    public String summary() {
        return "a user's scenario with a lock type the explorer does not know";
    }

    @Override
    public List<Variant<Body>> variants() {
        return List.of(ABBA, ORDERED, TRY_LEAK);
    }

    @Override
    public World build(Variant<Body> variant) {
        Machine m = Machine.bootGcManaged(2, 512, 0);
        TicketLock t1 = new TicketLock("T1");
        TicketLock t2 = new TicketLock("T2");
        Body body = variant.behaviour();
        return new World(m) {
            int done;

            @Override
            public int nrCpus() {
                return 2;
            }

            @Override
            protected void run(int cpu) {
                Explore.call("body()", () -> body.run(cpu, t1, t2));
                done++;
            }

            @Override
            protected void check(Checks checks) {
                checks.require(done == 2, "unfinished", done + " CPUs finished");
            }
        };
    }
}
