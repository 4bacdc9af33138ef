package dev.fusion.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Small self-contained SVG charts (no plotting library is available here): line charts with
 * optional logarithmic axes, and grouped bar charts with value labels.
 */
public final class SvgChart {

    private static final String[] COLORS =
            {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                    "#7f7f7f"};
    private static final int WIDTH = 760;
    private static final int HEIGHT = 420;
    private static final int LEFT = 90;
    private static final int RIGHT = 190;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final Map<String, List<double[]>> series = new LinkedHashMap<>();

    public SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Adds a point to the series {@code name} (lines) or a bar {@code (category index, value)}. */
    public SvgChart point(String name, double x, double y) {
        series.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {x, y});
        return this;
    }

    /** A line chart; log scales need positive values. */
    public String lines(boolean logX, boolean logY) {
        Axis x = Axis.of(all(0), logX);
        Axis y = Axis.of(all(1), logY).fromZero(!logY);
        StringBuilder svg = frame(x, y, null);
        int i = 0;
        for (Map.Entry<String, List<double[]>> s : series.entrySet()) {
            String color = COLORS[i % COLORS.length];
            StringBuilder path = new StringBuilder();
            for (double[] p : s.getValue()) {
                path.append(path.length() == 0 ? "M" : " L").append(fmt(px(x,
                        p[0]))).append(',').append(fmt(py(y, p[1])));
            }
            svg.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(color)
                    .append("\" stroke-width=\"2\"/>\n");
            for (double[] p : s.getValue()) {
                svg.append("<circle cx=\"").append(fmt(px(x,
                        p[0]))).append("\" cy=\"").append(fmt(py(y, p[1])))
                        .append("\" r=\"3\" fill=\"").append(color).append("\"/>\n");
            }
            legend(svg, i++, s.getKey(), color);
        }
        return svg.append("</svg>\n").toString();
    }

    /** A grouped bar chart: x values are category indexes into {@code categories}. */
    public String bars(List<String> categories, boolean logY) {
        Axis y = Axis.of(all(1), logY).fromZero(!logY);
        Axis x = new Axis(-0.5, categories.size() - 0.5, false);
        StringBuilder svg = frame(x, y, categories);
        int groups = series.size();
        double slot = (WIDTH - LEFT - RIGHT) / (double) categories.size();
        double barWidth = slot * 0.8 / Math.max(1, groups);
        int i = 0;
        for (Map.Entry<String, List<double[]>> s : series.entrySet()) {
            String color = COLORS[i % COLORS.length];
            for (double[] p : s.getValue()) {
                double left = px(x, p[0]) - slot * 0.4 + i * barWidth;
                double top = py(y, p[1]);
                double base = py(y, logY ? y.min : 0);
                svg.append(String.format(Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                        + " fill=\"%s\"/>%n", left, top, barWidth * 0.95, Math.max(0, base - top),
                                color));
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\""
                        + " text-anchor=\"middle\">%s</text>%n", left + barWidth * 0.475, top - 3,
                                label(p[1])));
            }
            legend(svg, i++, s.getKey(), color);
        }
        return svg.append("</svg>\n").toString();
    }

    private StringBuilder frame(Axis x, Axis y, List<String> categories) {
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n", WIDTH, HEIGHT, WIDTH,
                        HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(text(WIDTH / 2.0, 22, 15, "middle", title));
        svg.append(text((LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 12, 12, "middle", xLabel));
        svg.append(String.format(Locale.ROOT,
                "<text x=\"16\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\""
                + " transform=\"rotate(-90 16 %.1f)\">%s</text>%n", (TOP + HEIGHT - BOTTOM) / 2.0,
                (TOP + HEIGHT - BOTTOM) / 2.0, escape(yLabel)));
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                + " stroke=\"#444\"/>%n", LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM));
        for (double t : y.ticks()) {
            double py = py(y, t);
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\""
                    + " stroke=\"#ddd\"/>%n", LEFT, WIDTH - RIGHT, py, py));
            svg.append(text(LEFT - 6, py + 4, 11, "end", label(t)));
        }
        if (categories != null) {
            for (int c = 0; c < categories.size(); c++) {
                svg.append(text(px(x, c), HEIGHT - BOTTOM + 16, 11, "middle", categories.get(c)));
            }
        } else {
            for (double t : x.ticks()) {
                svg.append(text(px(x, t), HEIGHT - BOTTOM + 16, 11, "middle", label(t)));
            }
        }
        return svg;
    }

    private static void legend(StringBuilder svg, int i, String name, String color) {
        int y = TOP + 10 + 18 * i;
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                WIDTH - RIGHT + 12, y, color));
        svg.append(text(WIDTH - RIGHT + 30, y + 10, 11, "start", name));
    }

    private List<Double> all(int coordinate) {
        List<Double> values = new ArrayList<>();
        series.values().forEach(points -> points.forEach(p -> values.add(p[coordinate])));
        return values;
    }

    private static double px(Axis x, double v) {
        return LEFT + x.fraction(v) * (WIDTH - LEFT - RIGHT);
    }

    private static double py(Axis y, double v) {
        return HEIGHT - BOTTOM - y.fraction(v) * (HEIGHT - TOP - BOTTOM);
    }

    private static String text(double x, double y, int size, String anchor, String s) {
        return String.format(Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\">%s</text>%n",
                x, y, size, anchor, escape(s));
    }

    /** 1234567 as "1.23M", 0.5 as "0.5". */
    static String label(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (a >= 1e4) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : Math.abs(v) >= 10
                ? "%.1f" : "%.2f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** A linear or logarithmic axis over a range of values. */
    private static final class Axis {
        final double min;
        final double max;
        final boolean log;

        Axis(double min, double max, boolean log) {
            this.min = min;
            this.max = max;
            this.log = log;
        }

        static Axis of(List<Double> values, boolean log) {
            double lo = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            double hi = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
            if (log) {
                return new Axis(Math.pow(10, Math.floor(Math.log10(lo))), Math.pow(10,
                        Math.ceil(Math.log10(hi))), true);
            }
            return new Axis(lo, hi == lo ? lo + 1 : hi + 0.08 * (hi - lo), false);
        }

        Axis fromZero(boolean zero) {
            return zero && min > 0 ? new Axis(0, max, log) : this;
        }

        double fraction(double v) {
            return log ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
                    : (v - min) / (max - min);
        }

        List<Double> ticks() {
            List<Double> ticks = new ArrayList<>();
            if (log) {
                for (double t = min; t <= max * 1.0001; t *= 10) {
                    ticks.add(t);
                }
                return ticks;
            }
            double step = Math.pow(10, Math.floor(Math.log10((max - min) / 5)));
            if ((max - min) / step > 10) {
                step *= 2;
            }
            for (double t = Math.ceil(min / step) * step; t <= max; t += step) {
                ticks.add(t);
            }
            return ticks;
        }
    }
}
