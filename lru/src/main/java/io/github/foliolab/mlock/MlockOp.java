package io.github.foliolab.mlock;

import io.github.foliolab.folio.FolioOp;
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

    /**
     * {@link FolioOp#MLOCK_BATCH_ADD_PART}, a word of the folio no other op names: the add writes this
     * CPU's batch, not the folio (its reference is the folio_get before it); without a part it would
     * depend on every step on the folio.
     */
    @Override
    public int part(long arg) {
        return FolioOp.MLOCK_BATCH_ADD_PART;
    }

    @Override
    public boolean shared() {
        return false;
    }
}
