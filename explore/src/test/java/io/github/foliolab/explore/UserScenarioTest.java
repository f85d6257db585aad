package io.github.foliolab.explore;

import io.github.foliolab.explore.user.TicketLockScenario;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A scenario registered from the test class path (META-INF/services) runs through the same entry points
 * as the command line, and its lock type, unknown to the explorer, is tracked from its ops' kinds.
 */
class UserScenarioTest {
    @AfterEach
    void noThreadLeft() {
        assertEquals(0, Engine.LIVE_WORKERS.get(), "worker threads outlived their explorer");
    }

    @Test
    void serviceLoaderFindsTheLibrarysScenariosFirstThenTheUsers() {
        List<String> names = Races.all().stream().map(Scenario::name).toList();
        assertEquals(List.of("munlock-putback", "mlock-lru-add", "lost-activation", "drain-all", "lock-order",
                "refcount-get", "lru-ticket", "migration-mlock", "mlock-overcount", "fork-isolate", "gup-fast-migration", "thp-split-mlock", "ticket-locks"), names);
        assertInstanceOf(TicketLockScenario.class, Races.byName("ticket-locks"));
        CliTest.Run list = CliTest.cli("list");
        assertEquals(0, list.status(), list.err());
        assertTrue(list.out().contains("ticket-locks: a user's scenario"), list.out());
        assertTrue(list.out().contains("  --variant try-leak: "), list.out());
    }

    @Test
    void aDeadlockOnAnUnknownLockTypeIsACycleAndReplays() {
        CliTest.Run r = CliTest.cli("explore", "ticket-locks", "--variant", "abba");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.out().contains("deadlock: CPU A waits for T2 held by CPU B, CPU B waits for T1 held by CPU A "
                + "(a cycle of blocked CPUs)"), r.out());
        assertTrue(r.out().contains("ticket_lock(T2) ... waits"), r.out());
        String schedule = r.out().lines().filter(l -> l.startsWith("schedule: ")).findFirst().orElseThrow()
                .substring("schedule: ".length()).split(" ")[0];
        CliTest.Run again = CliTest.cli("ticket-locks", "--variant", "abba", "--replay", schedule);
        assertEquals(1, again.status(), again.err());
        assertEquals(r.out().substring(r.out().indexOf("deadlock:")), again.out().substring(again.out().indexOf("deadlock:")));
    }

    @Test
    void aTrylockThatSucceedsIsHeldAndOneThatFailsIsNot() {
        CliTest.Run leak = CliTest.cli("ticket-locks", "--variant", "try-leak");
        assertEquals(1, leak.status(), leak.out());
        assertTrue(leak.out().contains("CPU B returned with T1 held"), leak.out());
        assertTrue(leak.out().contains("ticket_trylock(T1) = true"), leak.out());
        CliTest.Run ordered = CliTest.cli("ticket-locks", "--variant", "ordered", "--bound", "3");
        assertEquals(0, ordered.status(), ordered.out());
        assertTrue(ordered.out().contains("(bound exhausted"), ordered.out());
    }

    @Test
    void racesRunsTheUsersScenarioToo() {
        CliTest.Run r = CliTest.cli("races", "--bound", "2");
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("ticket-locks [abba]: VIOLATION"), r.out());
        assertTrue(r.out().contains("ticket-locks [ordered]: no violation"), r.out());
        assertTrue(r.err().contains("races: ticket-locks [try-leak] ..."), r.err());
    }

    @Test
    void aMistypedVariantIsAUsageErrorNotARunOfTheLibrarysCode() {
        CliTest.Run r = CliTest.cli("munlock-putback", "--variant", "fix_c");
        assertEquals(2, r.status(), r.out());
        assertEquals("", r.out());
        assertTrue(r.err().contains("scenario munlock-putback has no variant fix_c; it has [7.2, 7.2-large, replica, "
                + "fix-a, fix-b, fix-b-lru-add, fix-c, fix-ab]"), r.err());
        TicketLockScenario s = new TicketLockScenario();
        assertThrows(IllegalArgumentException.class, () -> s.variant("ABBA"));
        Variant<TicketLockScenario.Body> stranger = new Variant<>("mine", "not the scenario's", Variant.Expect.CLEAN,
                (cpu, t1, t2) -> {});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Explorer.explore(s, stranger, Options.dfs(1)));
        assertTrue(e.getMessage().contains("variant mine is not one of scenario ticket-locks's variants"), e.getMessage());
        assertThrows(NullPointerException.class, () -> new Variant<>("x", "y", Variant.Expect.CLEAN, null));
    }
}
