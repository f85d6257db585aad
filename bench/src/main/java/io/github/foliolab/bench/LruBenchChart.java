package io.github.foliolab.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns LruAddBench JMH JSON results ({@code -rf json}) into a PNG bar chart (throughput, CPU time per
 * folio and 2-thread / 1-thread scaling per policy, with lru_lock acquisitions per folio) and Markdown
 * tables on stdout: every result, the scaling of each policy, and the kernel policy against its targets.
 *
 * <p>Usage: {@code java -Djava.awt.headless=true -cp bench/target/benchmarks.jar
 * io.github.foliolab.bench.LruBenchChart out.png results-t1.json results-t2.json ...}
 */
public final class LruBenchChart {
    private LruBenchChart() {}

    /** One result row. */
    /**
     * One result row; {@code policy} is the label (the policy, then every parameter that is not its
     * default: {@code , clear_page}, {@code , release apart}, {@code , 2 nodes}), {@code work} the work
     * part of the label ({@code ""} or {@code ", clear_page"}), by which the bare-atomics floor is matched.
     */
    record Row(String bench, String policy, String work, int threads, double score, double error, String unit,
               double lockPerFolio, double allocPerOp, double cpuNsPerFolio) {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: LruBenchChart out.png results.json...");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            rows.addAll(read(Path.of(args[i])));
        }
        System.out.print(table(rows));
        System.out.println();
        System.out.print(scaling(rows));
        System.out.println();
        System.out.print(targets(rows));
        draw(rows, Path.of(args[0]));
    }

    static List<Row> read(Path p) throws IOException {
        Object json = new Json(Files.readString(p)).value();
        List<Row> out = new ArrayList<>();
        for (Object o : (List<?>) json) {
            Map<?, ?> m = (Map<?, ?>) o;
            String bench = (String) m.get("benchmark");
            bench = bench.substring(bench.lastIndexOf('.') + 1);
            int threads = ((Number) m.get("threads")).intValue();
            Map<?, ?> params = m.get("params") instanceof Map<?, ?> pp ? pp : Map.of();
            String policy = bench.equals("bareAtomics") ? "bare atomics" : String.valueOf(params.get("policy"));
            Object w = params.get("work");
            String work = w == null || "none".equals(w) ? "" : ", " + w;
            Object release = params.get("release");
            policy += work + (release == null || "overlapped".equals(release) ? "" : ", release " + release);
            Object nodes = params.get("nodes");
            if (nodes != null && !"1".equals(String.valueOf(nodes))) {
                policy += ", " + nodes + " nodes"; // the control: a lruvec per thread (not a target row)
            }
            Map<?, ?> pm = (Map<?, ?>) m.get("primaryMetric");
            double score = num(pm.get("score"));
            double err = num(pm.get("scoreError"));
            String unit = (String) pm.get("scoreUnit");
            Map<?, ?> sec = (Map<?, ?>) m.get("secondaryMetrics");
            double locks = secondary(sec, "lruLockAcquisitions");
            double folios = secondary(sec, "foliosAdded");
            double alloc = secondary(sec, "gc.alloc.rate.norm");
            double cpu = secondary(sec, "cpuNanos");
            out.add(new Row(bench, policy, work, threads, score, err, unit,
                    folios > 0 && !Double.isNaN(locks) && !bench.equals("bareAtomics") ? locks / folios : Double.NaN, alloc,
                    folios > 0 ? cpu / folios : Double.NaN));
        }
        return out;
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static double secondary(Map<?, ?> sec, String name) {
        if (sec == null || !(sec.get(name) instanceof Map<?, ?> m)) return Double.NaN;
        return num(m.get("score"));
    }

    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| benchmark | policy (parameters) | threads | throughput (ops/us) | ± | CPU ns per folio | lru_lock per folio | B/op |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.1f | %s | %s |%n", r.bench(), r.policy(),
                    r.threads(), r.score(), r.error(), r.cpuNsPerFolio(),
                    Double.isNaN(r.lockPerFolio()) ? "-" : String.format(Locale.ROOT, "%.4f (1/%.1f)", r.lockPerFolio(), 1 / r.lockPerFolio()),
                    Double.isNaN(r.allocPerOp()) ? "-" : String.format(Locale.ROOT, "%.3f", r.allocPerOp())));
        }
        return sb.toString();
    }

    /** label (a policy's, or "bare atomics" with its work) -> threads -> row; the floor last. */
    static Map<String, Map<Integer, Row>> byPolicy(List<Row> rows) {
        Map<String, Map<Integer, Row>> byPolicy = new LinkedHashMap<>();
        Map<String, Map<Integer, Row>> bare = new LinkedHashMap<>();
        for (Row r : rows) {
            (r.bench().equals("bareAtomics") ? bare : byPolicy).computeIfAbsent(r.policy(), k -> new TreeMap<>())
                    .putIfAbsent(r.threads(), r);
        }
        byPolicy.putAll(bare);
        return byPolicy;
    }

    /** Throughput at 2 threads over 1 thread (NaN unless both were measured). */
    static double scale(Map<Integer, Row> m) {
        Row a = m.get(1);
        Row b = m.get(2);
        return a == null || b == null ? Double.NaN : b.score() / a.score();
    }

    /** CPU ns per folio at 2 threads over 1 thread. */
    static double cpuScale(Map<Integer, Row> m) {
        Row a = m.get(1);
        Row b = m.get(2);
        return a == null || b == null ? Double.NaN : b.cpuNsPerFolio() / a.cpuNsPerFolio();
    }

    static String scaling(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| policy (parameters) | ops/us, 1 thread | ops/us, 2 threads | scaling (2 / 1) | CPU ns/folio, 1 thread | CPU ns/folio, 2 threads | CPU 2 / 1 | lru_lock per folio | B/op (1 / 2 threads) |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (Map.Entry<String, Map<Integer, Row>> e : byPolicy(rows).entrySet()) {
            Map<Integer, Row> m = e.getValue();
            Row a = m.get(1);
            Row b = m.get(2);
            Row any = a != null ? a : b;
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s |%n", e.getKey(),
                    a == null ? "-" : String.format(Locale.ROOT, "%.2f ± %.2f", a.score(), a.error()),
                    b == null ? "-" : String.format(Locale.ROOT, "%.2f ± %.2f", b.score(), b.error()),
                    fmt("%.2fx", scale(m)), a == null ? "-" : fmt("%.1f", a.cpuNsPerFolio()),
                    b == null ? "-" : fmt("%.1f", b.cpuNsPerFolio()), fmt("%.2fx", cpuScale(m)),
                    Double.isNaN(any.lockPerFolio()) ? "-" : String.format(Locale.ROOT, "1/%.1f", 1 / any.lockPerFolio()),
                    a == null ? "-" : fmt("%.3f", a.allocPerOp()), b == null ? "-" : fmt("%.3f", b.allocPerOp())));
        }
        return sb.toString();
    }

    private static String fmt(String f, double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, f, v);
    }

    /**
     * The kernel policy against the targets (one line each, "met" or "not met"), one table per
     * variant measured (the parameters after the policy); each variant is compared with the unbatched
     * policy of the same variant and the floor with the same work.
     */
    static String targets(List<Row> rows) {
        Map<String, Map<Integer, Row>> p = byPolicy(rows);
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Map<Integer, Row>> e : p.entrySet()) {
            String label = e.getKey();
            Map<Integer, Row> k = e.getValue();
            if (!label.startsWith("kernel") || label.contains("nodes") || k.get(1) == null || k.get(2) == null) {
                continue;
            }
            String variant = label.substring("kernel".length());
            sb.append(sb.isEmpty() ? "" : "\n").append("Targets, kernel").append(variant).append(":\n\n");
            targets(sb, k, p.get("unbatched" + variant), p.get("bare atomics" + k.get(1).work()));
        }
        return sb.isEmpty() ? "(the kernel policy at 1 and 2 threads is needed for the targets)\n" : sb.toString();
    }

    private static void targets(StringBuilder sb, Map<Integer, Row> k, Map<Integer, Row> unb, Map<Integer, Row> bare) {
        sb.append("| target | measured | |\n|---|---|---|\n");
        double sc = scale(k);
        double floor = bare == null ? Double.NaN : scale(bare);
        target(sb, "kernel: 2-thread throughput >= 1.6x 1-thread", fmt("%.2fx", sc)
                + (Double.isNaN(floor) ? "" : String.format(Locale.ROOT,
                " (bare atomics, which share nothing, scaled %.2fx in the same run: the parallelism the machine gave)", floor)),
                sc >= 1.6);
        double cs = cpuScale(k);
        target(sb, "kernel: CPU ns/folio at 2 threads <= 1.3x 1 thread", fmt("%.2fx", cs), cs <= 1.3);
        for (int t = 1; t <= 2; t++) {
            if (bare != null && bare.get(t) != null) {
                double f = k.get(t).cpuNsPerFolio() / bare.get(t).cpuNsPerFolio();
                target(sb, "kernel within 3x of bare atomics (CPU ns/folio), " + t + " thread(s)",
                        String.format(Locale.ROOT, "%.1f vs %.1f ns = %.2fx", k.get(t).cpuNsPerFolio(),
                                bare.get(t).cpuNsPerFolio(), f), f <= 3);
            }
        }
        if (unb != null && unb.get(2) != null) {
            double f = k.get(2).score() / unb.get(2).score();
            target(sb, "kernel >= 5x unbatched throughput at 2 threads",
                    String.format(Locale.ROOT, "%.2f vs %.2f ops/us = %.2fx", k.get(2).score(), unb.get(2).score(), f), f >= 5);
        }
        double alloc = Math.max(k.get(1).allocPerOp(), k.get(2).allocPerOp());
        target(sb, "kernel: 0 B/op", fmt("%.3f B per folio", alloc), alloc < 0.0005);
        double lock = Math.max(k.get(1).lockPerFolio(), k.get(2).lockPerFolio());
        target(sb, "kernel: <= 1/31 lru_lock acquisitions per folio", fmt("1/%.1f", 1 / lock), lock <= 1 / 31.0 + 1e-9);
    }

    private static void target(StringBuilder sb, String what, String measured, boolean met) {
        sb.append("| ").append(what).append(" | ").append(measured).append(" | ").append(met ? "met" : "**not met**")
                .append(" |\n");
    }

    static void draw(List<Row> rows, Path out) throws IOException {
        Map<String, Map<Integer, Row>> byPolicy = byPolicy(rows);
        List<Integer> threadCounts = rows.stream().map(Row::threads).distinct().sorted().toList();
        int w = Math.max(1100, 120 * byPolicy.size() + 120);
        int h = 1580;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        panel(g, byPolicy, threadCounts, Row::score,
                "folio_add_lru + periodic lru_add_drain: throughput (ops/us, higher is better)", 0, w, 500, true);
        panel(g, byPolicy, threadCounts, Row::cpuNsPerFolio,
                "thread CPU time per folio (ns, lower is better)", 500, w, 500, false);
        scalingPanel(g, byPolicy, 1000, w, 460);
        Color[] colors = colors();
        int ly = h - 40;
        for (int ti = 0; ti < threadCounts.size(); ti++) {
            g.setColor(colors[ti % colors.length]);
            g.fillRect(80 + ti * 120, ly, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(threadCounts.get(ti) + " thread(s)", 80 + ti * 120 + 20, ly + 12);
        }
        g.dispose();
        ImageIO.write(img, "png", out.toFile());
    }

    /** One bar per policy: 2-thread / 1-thread throughput, with lines at 1x, 1.6x (the target) and 2x. */
    private static void scalingPanel(Graphics2D g, Map<String, Map<Integer, Row>> byPolicy, int y0, int w, int h) {
        int left = 80;
        int top = y0 + 50;
        int plotH = h - 50 - 70;
        int plotW = w - left - 40;
        double max = 2.5;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("scaling: throughput at 2 threads / 1 thread (same run; 2.0 = perfect)", left, y0 + 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (double v : new double[] {0, 0.5, 1, 1.5, 1.6, 2, 2.5}) {
            int y = top + plotH - (int) (plotH * v / max);
            g.setColor(v == 1.6 ? new Color(234, 67, 53) : new Color(225, 225, 225));
            g.drawLine(left, y, left + plotW, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, v == 1.6 ? "%.1f target" : "%.1f", v), v == 1.6 ? left + plotW - 60 : 20, y + 4);
        }
        int groups = byPolicy.size();
        int groupW = plotW / Math.max(1, groups);
        int gi = 0;
        for (Map.Entry<String, Map<Integer, Row>> e : byPolicy.entrySet()) {
            int gx = left + gi * groupW + 10;
            double v = scale(e.getValue());
            if (!Double.isNaN(v)) {
                int bh = (int) (plotH * Math.min(v, max) / max);
                g.setColor(new Color(52, 168, 83));
                g.fillRect(gx, top + plotH - bh, groupW - 30, bh);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%.2fx", v), gx, top + plotH - bh - 3);
            }
            g.setColor(Color.BLACK);
            label(g, e.getKey(), gx, top + plotH + 16);
            gi++;
        }
    }

    /** A bar group's label, one line per comma-separated part; returns the y below it. */
    private static int label(Graphics2D g, String label, int x, int y) {
        for (String part : label.split(", ")) {
            g.drawString(part, x, y);
            y += 13;
        }
        return y;
    }

    private static Color[] colors() {
        return new Color[] {new Color(66, 133, 244), new Color(234, 67, 53), new Color(52, 168, 83), new Color(251, 188, 5)};
    }

    private static void panel(Graphics2D g, Map<String, Map<Integer, Row>> byPolicy, List<Integer> threadCounts,
                              java.util.function.ToDoubleFunction<Row> metric, String title, int y0, int w, int h,
                              boolean showLocks) {
        double max = byPolicy.values().stream().flatMap(m -> m.values().stream()).mapToDouble(metric)
                .filter(v -> !Double.isNaN(v)).max().orElse(1);
        int left = 80;
        int top = y0 + 50;
        int plotH = h - 50 - 100;
        int plotW = w - left - 40;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, left, y0 + 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setStroke(new BasicStroke(1));
        for (int i = 0; i <= 5; i++) {
            double v = max * i / 5;
            int y = top + plotH - (int) (plotH * i / 5.0);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left, y, left + plotW, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.1f", v), 20, y + 4);
        }
        Color[] colors = colors();
        int groups = byPolicy.size();
        int groupW = plotW / Math.max(1, groups);
        int barW = Math.max(8, (groupW - 20) / Math.max(1, threadCounts.size()));
        int gi = 0;
        for (Map.Entry<String, Map<Integer, Row>> e : byPolicy.entrySet()) {
            int gx = left + gi * groupW + 10;
            for (int ti = 0; ti < threadCounts.size(); ti++) {
                Row r = e.getValue().get(threadCounts.get(ti));
                if (r == null || Double.isNaN(metric.applyAsDouble(r))) continue;
                double v = metric.applyAsDouble(r);
                int bh = (int) (plotH * v / max);
                int x = gx + ti * barW;
                g.setColor(colors[ti % colors.length]);
                g.fillRect(x, top + plotH - bh, barW - 2, bh);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%.1f", v), x, top + plotH - bh - 3);
            }
            g.setColor(Color.BLACK);
            int ly = label(g, e.getKey(), gx, top + plotH + 16);
            Row any = e.getValue().values().iterator().next();
            if (showLocks && !Double.isNaN(any.lockPerFolio())) {
                g.drawString(String.format(Locale.ROOT, "lock/folio %.3f", any.lockPerFolio()), gx, ly);
            }
            gi++;
        }
    }

    /** A minimal JSON reader (objects, arrays, strings, numbers, true/false/null). */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            ws();
            char c = s.charAt(i);
            switch (c) {
                case '{': return object();
                case '[': return array();
                case '"': return string();
                case 't': i += 4; return Boolean.TRUE;
                case 'f': i += 5; return Boolean.FALSE;
                case 'n': i += 4; return null;
                default: return number();
            }
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            ws();
            if (s.charAt(i) == '}') { i++; return m; }
            while (true) {
                ws();
                String k = string();
                ws();
                i++; // ':'
                m.put(k, value());
                ws();
                if (s.charAt(i++) == '}') return m;
            }
        }

        private List<Object> array() {
            List<Object> l = new ArrayList<>();
            i++;
            ws();
            if (s.charAt(i) == ']') { i++; return l; }
            while (true) {
                l.add(value());
                ws();
                if (s.charAt(i++) == ']') return l;
            }
        }

        private String string() {
            StringBuilder sb = new StringBuilder();
            i++;
            while (s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') {
                    char n = s.charAt(i++);
                    switch (n) {
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case 'u' -> { sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; }
                        default -> sb.append(n);
                    }
                } else {
                    sb.append(c);
                }
            }
            i++;
            return sb.toString();
        }

        private Object number() {
            int st = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String t = s.substring(st, i);
            if (t.isEmpty()) {
                // "NaN" / "Infinity" as JMH may print them
                if (s.startsWith("NaN", i)) { i += 3; return Double.NaN; }
                if (s.startsWith("Infinity", i)) { i += 8; return Double.POSITIVE_INFINITY; }
                throw new IllegalArgumentException("bad JSON at " + i);
            }
            return Double.parseDouble(t);
        }
    }
}
