package io.github.foliolab.folio.api;

/**
 * What the kernel's {@code bad_page()} reports: a folio freed (or handed out) in a state the allocator
 * refuses, e.g. with PG_lru, PG_mlocked or PG_unevictable still set, or still mapped. The folio is not
 * freed; the message names it like dump_page and says which check failed.
 */
public class BadPageException extends VmBugException {
    private static final long serialVersionUID = 1L;

    /**
     * A bad_page() report.
     *
     * @param message the report, naming the folio as dump_page() does and the failed check
     */
    public BadPageException(String message) {
        super(message);
    }
}
