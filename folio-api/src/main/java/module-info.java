/**
 * The "headers" of FolioLab: what include/linux/mm_types.h, page-flags.h, page_ref.h, mmzone.h and
 * vm_event_item.h declare (layouts, bit numbers, constants, stat items), plus the schedule-point hook
 * every atomic step of the library calls.
 */
module io.github.foliolab.folio.api {
    exports io.github.foliolab.folio.api;
    exports io.github.foliolab.folio.api.sched;
}
