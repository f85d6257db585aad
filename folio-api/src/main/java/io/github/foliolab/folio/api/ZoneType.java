package io.github.foliolab.folio.api;

/** {@code enum zone_type} (include/linux/mmzone.h), the two zones the model has. */
public enum ZoneType {
    /** {@code ZONE_NORMAL} (enum zone_type, include/linux/mmzone.h). */
    ZONE_NORMAL("Normal"),
    /** {@code ZONE_MOVABLE} (enum zone_type, include/linux/mmzone.h). */
    ZONE_MOVABLE("Movable");

    private final String kernelName;

    ZoneType(String kernelName) {
        this.kernelName = kernelName;
    }

    /** {@return the zone's name as /proc/zoneinfo prints it} */
    public String kernelName() {
        return kernelName;
    }
}
