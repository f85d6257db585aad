package io.github.foliolab.conformance;

import io.github.foliolab.mm.Task;

import static io.github.foliolab.mm.Mman.MADV_COLD;
import static io.github.foliolab.mm.Mman.PAGE_SIZE;

/**
 * Format v2's {@code fork}, {@code child CMD} and {@code exit} on the simulator, as the real runner
 * does them: {@code fork} is fork(2) on CPU 0 followed by the parent's {@code drain} (the runner's
 * child first writes the runner's own pages, which the simulated process does not have, so nothing
 * else happens before the drain); {@code child CMD} runs CMD on the child (on CPU 0, with the regions
 * at the same addresses); {@code exit} tears the child's address space down (exit_mmap). One child at a
 * time: the script parser refuses a second {@code fork} and a {@code child} or {@code exit} without one.
 */
final class ForkCommands {
    private Task child;

    /** {@return the child, which {@code child CMD} runs on} */
    Task child() {
        if (child == null) {
            throw new IllegalStateException("no child: the script parser should have refused this command");
        }
        return child;
    }

    /**
     * {@code fork} or {@code exit} run by {@code parent}; {@code pad} is the runner's pad page, whose
     * MADV_COLD is the parent's drain after fork. Returns the command's result (0 or -errno).
     */
    long run(String op, Task parent, long pad) {
        if (op.equals("fork")) {
            if (child != null) {
                throw new IllegalStateException("fork while a child exists: the script parser should have refused it");
            }
            child = parent.fork();
            return parent.madvise(pad, PAGE_SIZE, MADV_COLD);
        }
        child().exit();
        child = null;
        return 0;
    }
}
