package io.github.foliolab.folio;

import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/** A byte copy of the whole memmap plus the vmstat lines: "exactly as before" checks in tests. */
record Snapshot(byte[] memmap, java.util.List<String> vmstat) {
    static Snapshot of(Node node) {
        return new Snapshot(node.memMap().segment().toArray(ValueLayout.JAVA_BYTE), node.vmstat().procVmstat());
    }

    boolean sameAs(Snapshot o) {
        return Arrays.equals(memmap, o.memmap) && vmstat.equals(o.vmstat);
    }
}
