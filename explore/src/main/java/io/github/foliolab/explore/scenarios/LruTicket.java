package io.github.foliolab.explore.scenarios;

import io.github.foliolab.explore.Checks;
import io.github.foliolab.explore.Explore;
import io.github.foliolab.explore.Invariant;
import io.github.foliolab.explore.Scenario;
import io.github.foliolab.explore.Variant;
import io.github.foliolab.explore.World;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.api.Gfp;

import java.util.List;
import java.util.function.Predicate;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PG_lru isolation ticket (docs/kernel-semantics.md section 4.4): two isolators race for F. With
 * {@code folio_test_clear_lru} exactly one wins; open-coded as {@code folio_test_lru} then
 * {@code folio_clear_lru} both can believe they own the folio.
 */
public final class LruTicket extends Scenario<Predicate<Folio>> {
    /** Instantiated by ServiceLoader ({@code provides io.github.foliolab.explore.Scenario with ...}). */
    public LruTicket() {}

    /** {@code test-clear}: the isolation ticket taken with the atomic folio_test_clear_lru(); clean. */
    public static final Variant<Predicate<Folio>> TEST_CLEAR = new Variant<>("test-clear", "folio_test_clear_lru (atomic)",
            Variant.Expect.CLEAN, Folio::testClearLru);
    /**
     * {@code test-then-clear}: folio_test_lru() then folio_clear_lru(), two steps; both CPUs win (a violation).
     */
    public static final Variant<Predicate<Folio>> TEST_THEN_CLEAR = new Variant<>("test-then-clear",
            "folio_test_lru then folio_clear_lru (two steps)", Variant.Expect.VIOLATION, f -> {
                if (!f.testLru()) return false;
                f.clearLru();
                return true;
            });

    @Override
    public String name() {
        return "lru-ticket";
    }

    @Override
    public String summary() {
        return "two isolators race for the PG_lru ticket of one folio";
    }

    @Override
    public List<Variant<Predicate<Folio>>> variants() {
        return List.of(TEST_CLEAR, TEST_THEN_CLEAR);
    }

    @Override
    public World build(Variant<Predicate<Folio>> variant) {
        Machine m = Machine.bootGcManaged(2, 512, 0);
        Predicate<Folio> isolate = variant.behaviour();
        return new World(m) {
            final Folio f = name(m.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0), "F");
            final AtomicInteger winners = new AtomicInteger();

            {
                f.setLru(); // setup on the unmanaged thread: not a step
            }

            @Override
            protected Runnable saveState() {
                int w = winners.get();
                return () -> winners.set(w);
            }

            @Override
            public int nrCpus() {
                return 2;
            }

            @Override
            protected void run(int cpu) {
                boolean won = Explore.test("isolate(F)", () -> isolate.test(f));
                if (won) {
                    winners.incrementAndGet();
                }
            }

            @Override
            public List<Invariant> invariants() {
                return CoreInvariants.all();
            }

            @Override
            protected void check(Checks checks) {
                checks.require(winners.get() == 1, "two-owners", winners.get() + " CPUs isolated F (exactly one may)");
            }
        };
    }
}
