package io.github.foliolab.folio.api;

/**
 * A broken invariant or a misuse of the API caught by a DEBUG_VM check (the kernel's VM_BUG_ON_FOLIO and
 * friends). The message reads like {@code dump_page()}: pfn, flags by name, refcount, mapcount, mapping,
 * index and order of the folio involved. The check runs before anything is changed, so after this
 * exception the state is exactly as before the call.
 */
public class VmBugException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * A failed DEBUG_VM check.
     *
     * @param message the report: the check that failed and the folio's state as dump_page() prints it
     */
    public VmBugException(String message) {
        super(message);
    }
}
