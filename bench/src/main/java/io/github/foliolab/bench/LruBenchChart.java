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
 * Turns LruAddBench JMH JSON results ({@code -rf json}) into a PNG bar chart (throughput per policy at
 * each thread count, with lru_lock acquisitions per folio) and a Markdown table on stdout.
 *
 * <p>Usage: {@code java -Djava.awt.headless=true -cp bench/target/benchmarks.jar
 * io.github.foliolab.bench.LruBenchChart out.png results-t1.json results-t2.json ...}
 */
public final class LruBenchChart {
    private LruBenchChart() {}

    /** One result row. */
    record Row(String bench, String policy, int threads, double score, double error, String unit,
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
            Map<?, ?> params = (Map<?, ?>) m.get("params");
            String policy = params == null ? "-" : String.valueOf(params.get("policy"));
            Map<?, ?> pm = (Map<?, ?>) m.get("primaryMetric");
            double score = num(pm.get("score"));
            double err = num(pm.get("scoreError"));
            String unit = (String) pm.get("scoreUnit");
            Map<?, ?> sec = (Map<?, ?>) m.get("secondaryMetrics");
            double locks = secondary(sec, "lruLockAcquisitions");
            double folios = secondary(sec, "foliosAdded");
            double alloc = secondary(sec, "gc.alloc.rate.norm");
            double cpu = secondary(sec, "cpuNanos");
            out.add(new Row(bench, policy, threads, score, err, unit,
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
        sb.append("| benchmark | policy | threads | throughput (ops/us) | ± | CPU ns per folio | lru_lock per folio | B/op |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.1f | %s | %s |%n", r.bench(), r.policy(),
                    r.threads(), r.score(), r.error(), r.cpuNsPerFolio(),
                    Double.isNaN(r.lockPerFolio()) ? "-" : String.format(Locale.ROOT, "%.4f (1/%.1f)", r.lockPerFolio(), 1 / r.lockPerFolio()),
                    Double.isNaN(r.allocPerOp()) ? "-" : String.format(Locale.ROOT, "%.3f", r.allocPerOp())));
        }
        return sb.toString();
    }

    static void draw(List<Row> rows, Path out) throws IOException {
        // policy -> threads -> row (addAndDrain), plus the bare-atomics floor per thread count.
        Map<String, Map<Integer, Row>> byPolicy = new LinkedHashMap<>();
        Map<Integer, Row> bare = new TreeMap<>();
        for (Row r : rows) {
            if (r.bench().equals("bareAtomics")) {
                bare.merge(r.threads(), r, (a, b) -> a);
            } else {
                byPolicy.computeIfAbsent(r.policy(), k -> new TreeMap<>()).put(r.threads(), r);
            }
        }
        if (!bare.isEmpty()) {
            byPolicy.put("bare atomics", bare);
        }
        List<Integer> threadCounts = rows.stream().map(Row::threads).distinct().sorted().toList();
        int w = 1100;
        int h = 1060;
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
        int plotH = h - 50 - 80;
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
            g.drawString(e.getKey(), gx, top + plotH + 16);
            Row any = e.getValue().values().iterator().next();
            if (showLocks && !Double.isNaN(any.lockPerFolio())) {
                g.drawString(String.format(Locale.ROOT, "lock/folio %.3f", any.lockPerFolio()), gx, top + plotH + 32);
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
