package io.github.foliolab.mlock;

import io.github.foliolab.folio.api.sched.SchedOp;

/** Schedule points of mm/mlock.c that are not locks or folio atomics. */
public enum MlockOp implements SchedOp {
    /** folio_batch_add() into this CPU's mlock_fbatch; id = pfn, arg = the entry's tag. CPU-local. */
    MLOCK_BATCH_ADD("folio_batch_add(mlock_fbatch)");

    private final String kernelName;

    MlockOp(String kernelName) {
        this.kernelName = kernelName;
    }

    @Override
    public String kernelName() {
        return kernelName;
    }

    @Override
    public Kind kind() {
        return Kind.WRITE;
    }

    @Override
    public Subject subject() {
        return Subject.FOLIO;
    }

    @Override
    public boolean shared() {
        return false;
    }
}
