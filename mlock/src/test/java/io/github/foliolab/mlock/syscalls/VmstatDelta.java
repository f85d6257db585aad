package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.Machine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A /proc/vmstat snapshot; {@link #assertExactly} checks that EVERY counter moved by exactly the given
 * delta (all counters not named must be unchanged).
 */
final class VmstatDelta {
    private final Machine machine;
    private final Map<String, Long> before;

    VmstatDelta(Machine machine) {
        this.machine = machine;
        this.before = read(machine);
    }

    private static Map<String, Long> read(Machine machine) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : machine.vmstat().procVmstat()) {
            int sp = line.indexOf(' ');
            m.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)));
        }
        return m;
    }

    /** Names of the LRU / mlock counters: what {@link #assertLruAndMlock} compares. */
    static boolean lruOrMlock(String name) {
        return name.equals("nr_mlock") || name.startsWith("unevictable_pgs_") || name.startsWith("nr_isolated_")
                || name.matches("nr_(zone_)?(inactive|active)_(anon|file)") || name.matches("nr_(zone_)?unevictable")
                || name.equals("pgactivate") || name.equals("pgdeactivate") || name.equals("pgrotated");
    }

    /**
     * As {@link #assertExactly}, but only over the LRU and mlock counters (for steps that also fault, whose
     * allocation and fault counters are not the point).
     */
    void assertLruAndMlock(Object... pairs) {
        assertDeltas(true, pairs);
    }

    /** pairs: "counter name", delta, ...; the nr_zone_ mirror of a node LRU counter is implied. */
    void assertExactly(Object... pairs) {
        assertDeltas(false, pairs);
    }

    private void assertDeltas(boolean lruOnly, Object... pairs) {
        Map<String, Long> want = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            String name = (String) pairs[i];
            if (!before.containsKey(name)) throw new IllegalArgumentException("no counter " + name);
            long d = ((Number) pairs[i + 1]).longValue();
            want.put(name, d);
            // An LRU list counter moves its per-zone mirror (nr_zone_inactive_anon ...) by the same amount.
            String zone = name.startsWith("nr_") ? "nr_zone_" + name.substring(3) : null;
            if (zone != null && before.containsKey(zone)) want.put(zone, d);
        }
        Map<String, Long> got = new TreeMap<>();
        read(machine).forEach((k, v) -> {
            long d = v - before.get(k);
            if (d != 0 && (!lruOnly || lruOrMlock(k))) got.put(k, d);
        });
        assertEquals(want, got, "vmstat deltas");
    }
}
