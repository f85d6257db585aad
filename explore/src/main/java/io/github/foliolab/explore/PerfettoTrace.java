package io.github.foliolab.explore;

/**
 * A result's trace in the Chrome trace event format (JSON object form) that ui.perfetto.dev and
 * chrome://tracing open: one track per CPU, each schedule point a 10 µs slice at its position in the
 * schedule, function markers as enclosing B/E slices, waits as instant events, and the violation as a
 * global instant event at the end. Time is schedule order, not wall-clock time.
 */
public final class PerfettoTrace {
    private PerfettoTrace() {}

    private static final int TICK_US = 10;

    /**
     * The trace of {@code r} as a Chrome trace event JSON document.
     *
     * @param r an exploration's result with a trace
     * @return the JSON text
     */
    public static String render(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n");
        sb.append("  {\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, \"args\": {\"name\": ")
                .append(Json.q(r.scenario() + " [" + r.variant() + "] schedule " + r.schedule())).append("}}");
        Trace t = r.trace();
        if (t != null) {
            for (int c = 0; c < t.cpus(); c++) {
                sb.append(",\n  {\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": ").append(c + 1)
                        .append(", \"args\": {\"name\": ").append(Json.q(t.columns().get(c))).append("}}");
            }
            long end = 0;
            for (Trace.Row row : t.rows()) {
                long ts = (long) row.seq() * TICK_US;
                end = ts + TICK_US;
                String common = ", \"pid\": 1, \"tid\": " + (row.cpu() + 1) + ", \"ts\": " + ts;
                switch (row.kind()) {
                    case STEP -> sb.append(",\n  {\"name\": ").append(Json.q(row.call()))
                            .append(", \"cat\": ").append(Json.q(row.shared() ? "shared" : "local"))
                            .append(", \"ph\": \"X\"").append(common).append(", \"dur\": ").append(TICK_US - 1)
                            .append(", \"args\": {\"step\": ").append(row.step())
                            .append(", \"result\": ").append(Json.q(row.result())).append("}}");
                    case CALL -> sb.append(",\n  {\"name\": ").append(Json.q(row.call()))
                            .append(", \"cat\": \"function\", \"ph\": \"B\"").append(common).append('}');
                    case RETURN -> sb.append(",\n  {\"ph\": \"E\"").append(common)
                            .append(", \"args\": {\"result\": ").append(Json.q(row.result())).append("}}");
                    case BLOCKED, RETRY, EXCEPTION -> sb.append(",\n  {\"name\": ").append(Json.q(row.text().strip()))
                            .append(", \"cat\": ").append(Json.q(row.kind().name().toLowerCase(java.util.Locale.ROOT)))
                            .append(", \"ph\": \"i\", \"s\": \"t\"").append(common).append('}');
                }
            }
            if (r.message() != null) {
                sb.append(",\n  {\"name\": ").append(Json.q(r.verdict() + ": " + r.message()))
                        .append(", \"ph\": \"i\", \"s\": \"g\", \"pid\": 1, \"tid\": 1, \"ts\": ").append(end).append('}');
            }
        }
        sb.append("\n]}\n");
        return sb.toString();
    }
}
