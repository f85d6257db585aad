package io.github.foliolab.migrate;

/**
 * {@code struct migration_target_control} (mm/internal.h): where alloc_migration_target() allocates.
 *
 * @param nid the target node, or {@link #NUMA_NO_NODE} for the source folio's node
 * @param gfpMask the allocation flags ({@link io.github.foliolab.folio.api.Gfp}); with
 *     {@code __GFP_THISNODE} there is no fallback to another node
 * @param reason why the folios migrate
 */
public record MigrationTargetControl(int nid, int gfpMask, MigrateReason reason) {
    /** NUMA_NO_NODE (include/linux/numa.h). */
    public static final int NUMA_NO_NODE = -1;
}
