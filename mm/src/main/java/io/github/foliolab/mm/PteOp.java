package io.github.foliolab.mm;

import io.github.foliolab.folio.api.sched.SchedOp;

/** The page-table steps of the mm module that are schedule points; id is the user address, arg the mm id. */
public enum PteOp implements SchedOp {
    /** ptep_get(): READ_ONCE of a PTE (also what a lockless walker such as GUP-fast reads). */
    PTEP_GET("ptep_get"),
    /** set_pte_at(): publish a PTE. */
    SET_PTE_AT("set_pte_at"),
    /** ptep_get_and_clear(): atomic exchange with pte_none. */
    PTEP_GET_AND_CLEAR("ptep_get_and_clear"),
    /** ptep_test_and_clear_young(). */
    PTEP_TEST_AND_CLEAR_YOUNG("ptep_test_and_clear_young"),
    /** ptep_set_wrprotect() / change_pte_range's modify_prot_commit. */
    PTEP_MODIFY_PROT("ptep_modify_prot_commit");

    private final String kernelName;

    PteOp(String kernelName) {
        this.kernelName = kernelName;
    }

    @Override
    public String kernelName() {
        return kernelName;
    }

    /** ptep_get reads the PTE; the others write it. */
    @Override
    public Kind kind() {
        return this == PTEP_GET ? Kind.READ : Kind.WRITE;
    }

    @Override
    public Subject subject() {
        return Subject.ADDRESS;
    }
}
