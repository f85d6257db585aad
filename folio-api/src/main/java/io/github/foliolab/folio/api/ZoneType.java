package io.github.foliolab.folio.api;

/** {@code enum zone_type} (include/linux/mmzone.h), the two zones the model has. */
public enum ZoneType {
    ZONE_NORMAL("Normal"),
    ZONE_MOVABLE("Movable");

    private final String kernelName;

    ZoneType(String kernelName) {
        this.kernelName = kernelName;
    }

    /** The zone's name as /proc/zoneinfo prints it. */
    public String kernelName() {
        return kernelName;
    }
}
