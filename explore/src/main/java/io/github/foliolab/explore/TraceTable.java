package io.github.foliolab.explore;

import java.util.ArrayList;
import java.util.List;

/**
 * A trace as the CPU A / CPU B table a kernel developer draws: one column per CPU, one row per event in
 * schedule order, shared steps numbered, CPU-local steps folded away, function markers shown as
 * headers with their steps indented under them.
 */
public final class TraceTable {
    private TraceTable() {}

    public static String render(Trace trace) {
        List<String[]> rows = new ArrayList<>();
        for (Trace.Row r : trace.rows()) {
            if (r.kind() == Trace.Kind.STEP && !r.shared()) {
                continue;
            }
            if (r.kind() == Trace.Kind.RETURN && r.result() == null) {
                continue;
            }
            String[] cells = new String[trace.cpus() + 1];
            cells[0] = r.step() > 0 ? Integer.toString(r.step()) : "";
            for (int c = 0; c < trace.cpus(); c++) {
                cells[c + 1] = c == r.cpu() ? r.text() : "";
            }
            rows.add(cells);
        }
        String[] header = new String[trace.cpus() + 1];
        header[0] = "#";
        for (int c = 0; c < trace.cpus(); c++) {
            header[c + 1] = trace.columns().get(c);
        }
        int[] width = new int[header.length];
        for (int c = 0; c < header.length; c++) {
            width[c] = header[c].length();
            for (String[] row : rows) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, width);
        sb.append('|');
        for (int w : width) {
            sb.append("-".repeat(w + 2)).append('|');
        }
        sb.append('\n');
        for (String[] row : rows) {
            line(sb, row, width);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String[] cells, int[] width) {
        sb.append('|');
        for (int c = 0; c < cells.length; c++) {
            String s = cells[c];
            sb.append(' ');
            if (c == 0) {
                sb.append(" ".repeat(width[c] - s.length())).append(s);
            } else {
                sb.append(s).append(" ".repeat(width[c] - s.length()));
            }
            sb.append(" |");
        }
        // no trailing spaces beyond the closing bar
        sb.append('\n');
    }
}
