package io.github.foliolab.explore;

import java.util.ArrayList;
import java.util.List;

/**
 * A trace as the CPU A / CPU B table a kernel developer draws: one column per CPU, one row per event in
 * schedule order, shared steps numbered, CPU-local steps folded away, function markers shown as
 * headers with their steps indented under them and closed by {@code }} (with the result, if the
 * function returns one), so nesting is unambiguous. A lock attempt that finds the lock held is one row,
 * {@code spin_lock(L1) ... waits}, at its step number; {@code (retry)} marks where the CPU was let go.
 */
public final class TraceTable {
    private TraceTable() {}

    /**
     * The table of {@code trace}, one column per CPU.
     *
     * @param trace a schedule's trace
     * @return the table, several lines
     */
    public static String render(Trace trace) {
        List<Trace.Row> all = trace.rows();
        boolean[] hidden = collapsedMarkers(all);
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Trace.Row r = all.get(i);
            if (hidden[i]) {
                continue;
            }
            if (r.kind() == Trace.Kind.STEP && !r.shared()) {
                continue;
            }
            if (r.kind() == Trace.Kind.STEP && r.depth() > 0 && isUnwrapped(all, hidden, i)) {
                r = new Trace.Row(r.seq(), r.step(), r.cpu(), r.kind(), r.call(), r.result(), r.shared(), r.depth() - 1);
            }
            String text = r.text();
            if (r.kind() == Trace.Kind.STEP) {
                int w = waitAfter(all, i);
                if (w >= 0) {
                    // The attempt found its object taken: one row, "spin_lock(L1) ... waits".
                    text = r.text() + " ... waits";
                    hidden[w] = true;
                }
            }
            String[] cells = new String[trace.cpus() + 1];
            cells[0] = r.step() > 0 ? Integer.toString(r.step()) : "";
            for (int c = 0; c < trace.cpus(); c++) {
                cells[c + 1] = c == r.cpu() ? text : "";
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

    /**
     * Markers that add nothing: a function whose only shared step is the call itself
     * ({@code folio_try_get(F) { folio_try_get(F) = true } = true}) is shown as that one step.
     */
    private static boolean[] collapsedMarkers(List<Trace.Row> rows) {
        boolean[] hidden = new boolean[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Trace.Row call = rows.get(i);
            if (call.kind() != Trace.Kind.CALL) continue;
            int step = -1;
            int ret = -1;
            boolean simple = true;
            for (int j = i + 1; j < rows.size() && simple; j++) {
                Trace.Row r = rows.get(j);
                if (r.cpu() != call.cpu()) continue;
                if (r.kind() == Trace.Kind.STEP && !r.shared()) continue;
                if (r.kind() == Trace.Kind.STEP && step < 0 && r.call().equals(call.call())) {
                    step = j;
                } else if (r.kind() == Trace.Kind.RETURN && step >= 0) {
                    ret = j;
                    break;
                } else {
                    simple = false;
                }
            }
            if (simple && step >= 0 && ret >= 0) {
                hidden[i] = true;
                hidden[ret] = true;
            }
        }
        return hidden;
    }

    /**
     * The index of the BLOCKED row that says the step at {@code i} (a lock attempt, a wait) found its
     * object unavailable, if it is that CPU's next event; else -1.
     */
    private static int waitAfter(List<Trace.Row> rows, int i) {
        Trace.Row step = rows.get(i);
        for (int j = i + 1; j < rows.size(); j++) {
            Trace.Row r = rows.get(j);
            if (r.cpu() != step.cpu()) continue;
            if (r.kind() == Trace.Kind.STEP && !r.shared()) continue;
            return r.kind() == Trace.Kind.BLOCKED && r.call().equals(step.call()) ? j : -1;
        }
        return -1;
    }

    /** True if the step at {@code i} lost its enclosing marker to {@link #collapsedMarkers}. */
    private static boolean isUnwrapped(List<Trace.Row> rows, boolean[] hidden, int i) {
        Trace.Row step = rows.get(i);
        for (int j = i - 1; j >= 0; j--) {
            Trace.Row r = rows.get(j);
            if (r.cpu() != step.cpu()) continue;
            if (r.kind() == Trace.Kind.STEP && !r.shared()) continue;
            return hidden[j] && r.kind() == Trace.Kind.CALL;
        }
        return false;
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
