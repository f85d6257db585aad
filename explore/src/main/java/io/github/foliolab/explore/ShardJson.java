package io.github.foliolab.explore;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A shard's result as JSON ({@code explore SCENARIO --shard K/N --json-out FILE}) and back
 * ({@code explore merge FILE...}): the fields of {@link TraceJson} (verdict, schedule, message, the trace's
 * events) and, after the message, {@code "format": "foliolab-explore-shard/1"}, {@code "shard": "K/N"}, the
 * search's {@code "options"} (strategy, bound, invariants, maxSteps, budget), {@code "splitDepth"},
 * {@code "subtrees"}, {@code "violationSubtree"} and {@code "acceptedSubtree"} (-1 for none), {@code "ran"}
 * (per subtree run: index, schedules, states as indexes into {@code "endStates"}) and {@code "endStates"}.
 * Read with Jackson's streaming parser; the events are skipped.
 */
public final class ShardJson {
    private ShardJson() {}

    /** The value of the {@code "format"} field. */
    public static final String FORMAT = "foliolab-explore-shard/1";

    private static final JsonFactory JSON = new JsonFactory();

    /**
     * A shard's result as the JSON document {@code explore merge} reads back ({@link #FORMAT}).
     *
     * @param s a shard's result
     * @return its JSON text
     */
    public static String render(ShardResult s) {
        Options o = s.options();
        StringBuilder f = new StringBuilder();
        f.append("  \"format\": ").append(Json.q(FORMAT)).append(",\n");
        f.append("  \"shard\": ").append(Json.q(s.shard().toString())).append(",\n");
        f.append("  \"options\": {\"strategy\": ").append(Json.q(o.strategy())).append(", \"bound\": ").append(o.bound())
                .append(", \"invariants\": ").append(o.invariants()).append(", \"maxSteps\": ").append(o.maxSteps())
                .append(", \"budget\": ").append(o.schedules()).append("},\n");
        f.append("  \"splitDepth\": ").append(s.splitDepth()).append(",\n");
        f.append("  \"subtrees\": ").append(s.subtrees()).append(",\n");
        f.append("  \"violationSubtree\": ").append(s.violationSubtree()).append(",\n");
        f.append("  \"acceptedSubtree\": ").append(s.acceptedSubtree()).append(",\n");
        f.append("  \"ran\": [");
        for (int i = 0; i < s.ran().size(); i++) {
            ShardResult.Subtree t = s.ran().get(i);
            f.append(i == 0 ? "\n" : ",\n").append("    {\"index\": ").append(t.index()).append(", \"schedules\": ")
                    .append(t.schedules()).append(", \"states\": ").append(t.states()).append('}');
        }
        f.append(s.ran().isEmpty() ? "" : "\n  ").append("],\n");
        f.append("  \"endStates\": [");
        for (int i = 0; i < s.endStates().size(); i++) {
            f.append(i == 0 ? "\n    " : ",\n    ").append(Json.q(s.endStates().get(i)));
        }
        f.append(s.endStates().isEmpty() ? "" : "\n  ").append("],\n");
        return TraceJson.render(s.result(), f.toString());
    }

    /**
     * Read a shard's result back (its trace is not: {@code result().trace()} is null).
     *
     * @param in the JSON text
     * @return the shard's result
     * @throws IOException              if reading fails
     * @throws IllegalArgumentException if the text is not JSON, or not a shard's result (a field missing
     *                                  or of the wrong type, no {@code "format"} of this version)
     */
    public static ShardResult read(Reader in) throws IOException {
        Object tree;
        try (JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            tree = value(p);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("text after the JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        }
        Fields f = new Fields((Map<?, ?>) tree);
        if (!FORMAT.equals(f.map.get("format"))) {
            throw new IllegalArgumentException("not the output of explore --shard (no \"format\": \"" + FORMAT + "\")");
        }
        Shard shard;
        try {
            shard = Shard.parse(f.string("shard"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"shard\" " + e.getMessage());
        }
        Fields o = new Fields(f.object("options"));
        Options options = new Options(o.string("strategy"), 0, o.number("budget"), (int) o.number("bound"), null,
                o.bool("invariants"), (int) o.number("maxSteps"));
        Result.Verdict verdict;
        try {
            verdict = Result.Verdict.valueOf(f.string("verdict"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"verdict\" is not one of " + List.of(Result.Verdict.values()));
        }
        Result r = new Result(f.string("scenario"), f.string("variant"), verdict, f.number("schedules"),
                f.bool("exhausted"), f.nullableString("strategy"), f.nullableString("schedule"),
                f.nullableString("message"), null, 0);
        List<String> states = new ArrayList<>();
        for (Object s : f.array("endStates")) {
            if (!(s instanceof String str)) {
                throw new IllegalArgumentException("\"endStates\" holds a non-string");
            }
            states.add(str);
        }
        List<ShardResult.Subtree> ran = new ArrayList<>();
        for (Object t : f.array("ran")) {
            if (!(t instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("\"ran\" holds a non-object");
            }
            Fields tf = new Fields(m);
            List<Integer> idx = new ArrayList<>();
            for (Object i : tf.array("states")) {
                if (!(i instanceof Long l) || l < 0 || l >= states.size()) {
                    throw new IllegalArgumentException("\"ran\" names an end state that is not in \"endStates\"");
                }
                idx.add(l.intValue());
            }
            ran.add(new ShardResult.Subtree(tf.number("index"), tf.number("schedules"), List.copyOf(idx)));
        }
        return new ShardResult(r, shard, options, (int) f.number("splitDepth"), f.number("subtrees"), List.copyOf(ran),
                List.copyOf(states), f.number("violationSubtree"), f.number("acceptedSubtree"));
    }

    /** The value at the parser's current token: a map, list, string, long, double, boolean or null. */
    private static Object value(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    if (name.equals("events")) {
                        p.skipChildren(); // the trace: not needed to merge
                        continue;
                    }
                    m.put(name, value(p));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                yield l;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IllegalArgumentException("unexpected JSON token " + p.currentToken());
        };
    }

    /** Typed access to an object's fields, with an error naming the field. */
    private record Fields(Map<?, ?> map) {
        Object get(String name) {
            if (!map.containsKey(name)) {
                throw new IllegalArgumentException("field \"" + name + "\" is missing");
            }
            return map.get(name);
        }

        String string(String name) {
            if (get(name) instanceof String s) return s;
            throw new IllegalArgumentException("field \"" + name + "\" is not a string");
        }

        String nullableString(String name) {
            Object v = get(name);
            return v == null ? null : string(name);
        }

        long number(String name) {
            if (get(name) instanceof Long l) return l;
            throw new IllegalArgumentException("field \"" + name + "\" is not a whole number");
        }

        boolean bool(String name) {
            if (get(name) instanceof Boolean b) return b;
            throw new IllegalArgumentException("field \"" + name + "\" is not true or false");
        }

        Map<?, ?> object(String name) {
            if (get(name) instanceof Map<?, ?> m) return m;
            throw new IllegalArgumentException("field \"" + name + "\" is not an object");
        }

        List<?> array(String name) {
            if (get(name) instanceof List<?> l) return l;
            throw new IllegalArgumentException("field \"" + name + "\" is not an array");
        }
    }
}
