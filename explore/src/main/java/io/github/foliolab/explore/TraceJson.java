package io.github.foliolab.explore;

/**
 * A result and its trace as JSON: the scenario, variant, verdict, schedule, message, the model note, and
 * every event (folded ones marked {@code "shared": false}).
 */
public final class TraceJson {
    private TraceJson() {}

    /**
     * {@code r} and its trace as one JSON object.
     *
     * @param r an exploration's result
     * @return the JSON text
     */
    public static String render(Result r) {
        return render(r, "");
    }

    /** {@link #render(Result)} with {@code fields} (each line {@code "  \"name\": value,\n"}) after the message. */
    static String render(Result r, String fields) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\n");
        sb.append("  \"scenario\": ").append(Json.q(r.scenario())).append(",\n");
        sb.append("  \"variant\": ").append(Json.q(r.variant())).append(",\n");
        sb.append("  \"verdict\": ").append(Json.q(r.verdict().name())).append(",\n");
        sb.append("  \"schedules\": ").append(r.schedules()).append(",\n");
        sb.append("  \"exhausted\": ").append(r.exhausted()).append(",\n");
        sb.append("  \"strategy\": ").append(Json.q(r.strategy())).append(",\n");
        sb.append("  \"schedule\": ").append(Json.q(r.schedule())).append(",\n");
        sb.append("  \"message\": ").append(Json.q(r.message())).append(",\n");
        sb.append(fields);
        sb.append("  \"model\": ").append(Json.q(Explorer.MODEL_NOTE)).append(",\n");
        sb.append("  \"cpus\": ").append(r.trace() == null ? 0 : r.trace().cpus()).append(",\n");
        sb.append("  \"events\": [");
        if (r.trace() != null) {
            boolean first = true;
            for (Trace.Row row : r.trace().rows()) {
                sb.append(first ? "\n" : ",\n");
                first = false;
                sb.append("    {\"seq\": ").append(row.seq())
                        .append(", \"step\": ").append(row.step())
                        .append(", \"cpu\": ").append(Json.q(Trace.cpuName(row.cpu())))
                        .append(", \"kind\": ").append(Json.q(row.kind().name().toLowerCase(java.util.Locale.ROOT)))
                        .append(", \"call\": ").append(Json.q(row.call()))
                        .append(", \"result\": ").append(Json.q(row.result()))
                        .append(", \"shared\": ").append(row.shared())
                        .append(", \"depth\": ").append(row.depth()).append('}');
            }
            sb.append('\n').append("  ");
        }
        sb.append("]\n}\n");
        return sb.toString();
    }
}
