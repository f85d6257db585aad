package io.github.foliolab.conformance;

import io.github.foliolab.gup.IoUringBuffers;
import io.github.foliolab.mm.Task;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The v2 commands {@code pin R START LEN} and {@code unpin R START LEN} as the real runner makes them:
 * {@code pin} sets up a new io_uring and registers the range as its one fixed buffer (a FOLL_WRITE |
 * FOLL_LONGTERM pin of every page), {@code unpin} unregisters the buffer of the latest {@code pin} of
 * exactly that range not yet unpinned. The rings stay open to the end of the script.
 */
final class PinCommands {
    /** Per range ("R START LEN"), its pins' rings, latest first; empty for a pin that failed. */
    private final Map<String, Deque<Optional<IoUringBuffers>>> pins = new HashMap<>();

    /**
     * Run {@code pin} or {@code unpin}.
     *
     * @param file the script's name, for errors
     * @param c the command
     * @param t the task it runs on (its CPU)
     * @param addr the range's first user address (bytes)
     * @param bytes its length (bytes)
     * @return the result: 0 or -errno
     * @throws ScriptException for an unpin whose pin failed, as the real runner stops there
     */
    long run(String file, Script.Command c, Task t, long addr, long bytes) {
        String[] tok = c.tok();
        String key = tok[1] + " " + tok[2] + " " + tok[3];
        if (c.op().equals("pin")) {
            IoUringBuffers ring = IoUringBuffers.setup(t);
            int rc = ring.registerBuffers(addr, bytes);
            pins.computeIfAbsent(key, k -> new ArrayDeque<>()).push(rc == 0 ? Optional.of(ring) : Optional.empty());
            return rc;
        }
        Deque<Optional<IoUringBuffers>> live = pins.get(key);
        Optional<IoUringBuffers> ring = live == null || live.isEmpty() ? Optional.empty() : live.pop();
        if (ring.isEmpty()) {
            throw new ScriptException(file, c.line(), "unpin of a range with no live pin");
        }
        return ring.get().unregisterBuffers();
    }
}
