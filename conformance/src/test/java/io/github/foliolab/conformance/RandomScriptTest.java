package io.github.foliolab.conformance;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random v1 scripts (seeded): the simulator must run every one to the end without a VM_BUG, a bad
 * page or any other exception, keep the rmap invariants after every command, and give the same
 * transcript twice.
 */
class RandomScriptTest {
    static final String[] KINDS = {"anon", "shmem", "file", "file-private"};
    static final String[] PROTS = {"none", "r", "rw"};
    static final String[] ADVICE = {"dontneed", "cold", "pageout", "willneed"};

    static String script(Random r) {
        StringBuilder sb = new StringBuilder();
        int regions = 1 + r.nextInt(3);
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < regions; i++) {
            int n = 1 + r.nextInt(40);
            sizes.add(n);
            sb.append("mmap R").append(i).append(' ').append(n).append(' ').append(KINDS[r.nextInt(4)]).append(' ')
                    .append(PROTS[r.nextInt(3)]);
            if (r.nextInt(4) == 0) sb.append(" populate");
            if (r.nextInt(5) == 0) sb.append(" locked");
            sb.append('\n');
            if (r.nextInt(6) == 0) sb.append(r.nextBoolean() ? "mlockall future\n" : "mlockall future,onfault\n");
        }
        for (int c = 0; c < 40; c++) {
            int i = r.nextInt(regions);
            int n = sizes.get(i);
            int start = r.nextInt(n);
            int len = 1 + r.nextInt(n - start);
            String range = "R" + i + " " + start + " " + len;
            switch (r.nextInt(12)) {
                case 0, 1, 2 -> sb.append("touch ").append(range).append(r.nextBoolean() ? " read" : " write");
                case 3 -> sb.append("mlock ").append(range);
                case 4 -> sb.append("mlock2 ").append(range).append(r.nextBoolean() ? " onfault" : "");
                case 5 -> sb.append("munlock ").append(range);
                case 6 -> sb.append("mprotect ").append(range).append(' ').append(PROTS[r.nextInt(3)]);
                case 7 -> sb.append("madvise ").append(range).append(' ').append(ADVICE[r.nextInt(4)]);
                case 8 -> sb.append("drain");
                case 9 -> sb.append(r.nextInt(3) == 0 ? "munlockall" : "check");
                case 10 -> sb.append("munmap ").append(range);
                default -> sb.append("check");
            }
            sb.append('\n');
        }
        sb.append("check\n");
        return sb.toString();
    }

    @Test
    void randomScriptsRunCleanlyAndDeterministically() {
        Random r = new Random(Long.getLong("random.seed", 20261122L));
        int count = Integer.getInteger("random.scripts", 300);
        for (int k = 0; k < count; k++) {
            String text = script(r);
            String a;
            try {
                a = ScriptRunner.run("random-" + k + ".script", text, true);
            } catch (RuntimeException | Error e) {
                fail("random script " + k + " threw " + e + "\n" + text, e);
                return;
            }
            assertEquals(a, ScriptRunner.run("random-" + k + ".script", text), "non-deterministic transcript:\n" + text);
        }
    }
}
