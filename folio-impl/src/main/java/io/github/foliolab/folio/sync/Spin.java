package io.github.foliolab.folio.sync;

/** How a real thread waits for a contended lock outside the explorer: spin, then yield. */
final class Spin {
    private Spin() {}

    private static final int SPINS_BEFORE_YIELD = 128;

    /** One round of waiting; {@code round} counts from 0. */
    static void pause(int round) {
        if (round < SPINS_BEFORE_YIELD) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }
}
