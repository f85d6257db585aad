package io.github.foliolab.bench.harness;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The harness's outputs: the Markdown table and the PNG chart (drawn by JFreeChart) of a list of results. */
public final class PolicyReport {
    private PolicyReport() {}

    /** The table's header line. */
    public static final String HEADER = "| policy | threads | folios/us | ± | CPU ns/folio | lru_lock/folio | B/folio |";

    /**
     * The Markdown table: one row per policy and thread count, in the order given. lru_lock per folio is
     * printed as a fraction ({@code 1/31.0}) and as a decimal.
     *
     * @param results the rows
     * @return the table, one line per row after the header and separator, each ending in a newline
     */
    public static String table(List<PolicyResult> results) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (PolicyResult r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %s | %.1f | %s | %.3f |%n", r.policy(), r.threads(),
                    r.foliosPerUs(), Double.isNaN(r.foliosPerUsError()) ? "-" : String.format(Locale.ROOT, "%.2f",
                            r.foliosPerUsError()), r.cpuNsPerFolio(), lockFraction(r.lruLockPerFolio()), r.bytesPerFolio()));
        }
        return sb.toString();
    }

    /**
     * lru_lock acquisitions per folio as {@code 1/N (decimal)}; {@code 0} when the lock was never taken.
     *
     * @param perFolio acquisitions per folio
     * @return the text for the table
     */
    public static String lockFraction(double perFolio) {
        if (perFolio == 0) {
            return "0";
        }
        return String.format(Locale.ROOT, "1/%.1f (%.4f)", 1 / perFolio, perFolio);
    }

    /**
     * Writes the chart as a PNG: four bar charts over the policies, one bar per thread count: throughput,
     * CPU ns per folio, lru_lock acquisitions per folio and bytes allocated per folio. Sets
     * {@code java.awt.headless} to true unless it was set (no display is needed).
     *
     * @param results the rows
     * @param png the file to write (replaced if it exists; its directory must exist)
     * @throws IOException if the file cannot be written
     */
    public static void chart(List<PolicyResult> results, Path png) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(new CategoryAxis("batching policy"));
        plot.setGap(12);
        CategoryPlot throughput = panel(results, PolicyResult::foliosPerUs, "folios/us (higher is better)", "0.00");
        plot.add(throughput);
        plot.add(panel(results, PolicyResult::cpuNsPerFolio, "CPU ns per folio", "0.0"));
        plot.add(panel(results, PolicyResult::lruLockPerFolio, "lru_lock per folio", "0.0000"));
        plot.add(panel(results, PolicyResult::bytesPerFolio, "bytes allocated per folio", "0.00"));
        // One legend entry per thread count (the panels share their series and colours).
        plot.setFixedLegendItems(throughput.getLegendItems());
        JFreeChart chart = new JFreeChart("folio_add_lru + lru_add_drain per batching policy",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 1200);
    }

    /** One colour per thread count, the same in every panel. */
    private static final Color[] SERIES_COLOURS = {
        new Color(66, 133, 244), new Color(234, 67, 53), new Color(52, 168, 83), new Color(251, 188, 5)};

    private static CategoryPlot panel(List<PolicyResult> results, ToDoubleFunction<PolicyResult> metric, String label,
                                      String format) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (PolicyResult r : results) {
            data.addValue(metric.applyAsDouble(r), r.threads() + (r.threads() == 1 ? " thread" : " threads"), r.policy());
        }
        BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        for (int i = 0; i < data.getRowCount(); i++) {
            renderer.setSeriesPaint(i, SERIES_COLOURS[i % SERIES_COLOURS.length]);
        }
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat(format, DecimalFormatSymbols.getInstance(Locale.ROOT))));
        renderer.setDefaultItemLabelsVisible(true);
        NumberAxis axis = new NumberAxis(label);
        axis.setUpperMargin(0.15);
        return new CategoryPlot(data, null, axis, renderer);
    }
}
