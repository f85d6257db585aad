package io.github.foliolab.explore.user;

import io.github.foliolab.folio.api.sched.SchedOp;
import io.github.foliolab.folio.api.sched.SchedPoints;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A lock type that exists only in this test, with schedule-point ops of its own: the explorer must track
 * its holders (deadlock chains, a CPU returning with it held, trylock) from the ops' kinds alone, as it
 * would for a lock of a module it has never heard of.
 */
public final class TicketLock {
    /** This lock's schedule points. */
    public enum Op implements SchedOp {
        TAKE("ticket_lock", Kind.ACQUIRE),
        TRY_TAKE("ticket_trylock", Kind.TRY_ACQUIRE),
        DROP("ticket_unlock", Kind.RELEASE);

        private final String kernelName;
        private final Kind kind;

        Op(String kernelName, Kind kind) {
            this.kernelName = kernelName;
            this.kind = kind;
        }

        @Override
        public String kernelName() {
            return kernelName;
        }

        @Override
        public Subject subject() {
            return Subject.OBJECT;
        }

        @Override
        public Kind kind() {
            return kind;
        }
    }

    private final long id;
    /** Taken with acquire ordering (CAS), dropped with release ordering. */
    private final AtomicBoolean taken = new AtomicBoolean();

    public TicketLock(String name) {
        this.id = SchedPoints.newObjectId(name);
    }

    /** Blocks (a contended wait the explorer sees) until the lock is free. */
    public void lock() {
        SchedPoints.before(Op.TAKE, id, 0);
        while (!taken.compareAndSet(false, true)) {
            SchedPoints.contended(Op.TAKE, id);
        }
    }

    public boolean tryLock() {
        SchedPoints.before(Op.TRY_TAKE, id, 0);
        return SchedPoints.after(Op.TRY_TAKE, id, taken.compareAndSet(false, true));
    }

    public void unlock() {
        SchedPoints.before(Op.DROP, id, 0);
        taken.set(false);
        SchedPoints.released(Op.DROP, id);
    }
}
