package io.github.foliolab.conformance;

import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.MigrateSyscalls;
import io.github.foliolab.mm.Task;

import java.io.IOException;

import static io.github.foliolab.mm.Mman.PAGE_SIZE;

/**
 * v2's {@code move R START LEN NODE}: move_pages(2) of the LEN pages to NODE with MPOL_MF_MOVE, printed as
 * the real runner's do_move() prints it: the result (or the errno when the call fails), then each page's
 * status in brackets, {@code ?} where the kernel left the status unwritten.
 */
final class MoveCommand {
    /** STATUS_UNSET of the runner: a status value the kernel never writes. */
    private static final int STATUS_UNSET = Integer.MIN_VALUE;

    private MoveCommand() {}

    /**
     * Run the command on {@code task} and append its result line (after the echo and " = ").
     *
     * @param task the process (and CPU) making the call
     * @param addr the first page's user virtual address (bytes)
     * @param len the number of pages
     * @param node the target node
     * @param out the transcript
     */
    static void run(Task task, long addr, long len, int node, Appendable out) throws IOException {
        int n = (int) len;
        long[] pages = new long[n];
        int[] nodes = new int[n];
        int[] status = new int[n];
        for (int i = 0; i < n; i++) {
            pages[i] = addr + i * PAGE_SIZE;
            nodes[i] = node;
            status[i] = STATUS_UNSET;
        }
        int r = task.movePages(pages, nodes, status, MigrateSyscalls.MPOL_MF_MOVE);
        if (r < 0) {
            out.append(errno(-r)).append('\n');
            return;
        }
        out.append(String.valueOf(r)).append(" [");
        for (int i = 0; i < n; i++) {
            if (i > 0) out.append(' ');
            if (status[i] == STATUS_UNSET) {
                out.append('?');
            } else if (status[i] < 0) {
                out.append(errno(-status[i]));
            } else {
                out.append(String.valueOf(status[i]));
            }
        }
        out.append("]\n");
    }

    /** emit_errno() of a v2 script for what move_pages returns: v1's names plus -ENOENT and -ENODEV. */
    static String errno(int e) {
        return switch (e) {
            case Errno.ENOENT -> "-ENOENT";
            case Errno.ENODEV -> "-ENODEV";
            default -> ScriptRunner.result(-e);
        };
    }
}
