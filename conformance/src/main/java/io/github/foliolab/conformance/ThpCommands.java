package io.github.foliolab.conformance;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MthpStats;
import io.github.foliolab.mm.ThpSettings;

import java.io.IOException;

/**
 * Format v2's {@code thp SIZE} / {@code thp off} and the {@code mthp} lines of {@code check}, as
 * runner.c does them: {@code thp SIZE} writes {@code always} to hugepages-SIZEkB/enabled (and the first
 * time takes that size's statistics baseline), {@code thp off} writes {@code never} to every size; a
 * size that is not 16..1024 KiB is -EINVAL. {@code check} prints one line per size enabled so far,
 * smallest first, with each statistic's change since its baseline.
 */
final class ThpCommands {
    /** The sizes runner.c knows, in KiB, smallest first. */
    static final int[] SIZES_KB = {16, 32, 64, 128, 256, 512, 1024};
    /** The statistics a {@code mthp} line prints, in order. */
    static final MthpStats.Item[] ITEMS = {
        MthpStats.Item.ANON_FAULT_ALLOC, MthpStats.Item.ANON_FAULT_FALLBACK, MthpStats.Item.SPLIT,
        MthpStats.Item.SPLIT_DEFERRED, MthpStats.Item.NR_ANON, MthpStats.Item.NR_ANON_PARTIALLY_MAPPED
    };
    private static final int EINVAL = 22;

    private final Mm mm;
    /** Per size: the statistics when it was first enabled, or null while never enabled. */
    private final long[][] baseline = new long[SIZES_KB.length][];

    ThpCommands(Machine machine) {
        this.mm = Mm.of(machine);
    }

    /**
     * Run {@code thp ARG}; the result the runner prints.
     *
     * @param arg {@code off} or a size in KiB
     */
    long thp(String arg) {
        ThpSettings settings = mm.thp().settings();
        if (arg.equals("off")) {
            settings.allNever();
            return 0;
        }
        long kb = Long.parseLong(arg);
        for (int i = 0; i < SIZES_KB.length; i++) {
            if (SIZES_KB[i] != kb) continue;
            int order = ThpSettings.orderOfKb(kb);
            if (baseline[i] == null) {
                baseline[i] = new long[ITEMS.length];
                for (int j = 0; j < ITEMS.length; j++) baseline[i][j] = mm.thp().stats().get(order, ITEMS[j]);
            }
            settings.setEnabled(order, ThpSettings.Mode.ALWAYS);
            return 0;
        }
        return -EINVAL;
    }

    /** The {@code mthp} lines of {@code check}. */
    void check(Appendable out) throws IOException {
        for (int i = 0; i < SIZES_KB.length; i++) {
            if (baseline[i] == null) continue;
            int order = ThpSettings.orderOfKb(SIZES_KB[i]);
            out.append("  mthp ").append(String.valueOf(SIZES_KB[i])).append('K');
            for (int j = 0; j < ITEMS.length; j++) {
                out.append(' ').append(ITEMS[j].fileName()).append('=')
                        .append(String.valueOf(mm.thp().stats().get(order, ITEMS[j]) - baseline[i][j]));
            }
            out.append('\n');
        }
    }
}
