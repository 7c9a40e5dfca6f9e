package dev.gantry.loadtest;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The human outputs of a run: a short text summary and a self-contained HTML page with inline SVG charts. */
final class Report {

    private Report() {}

    static String summary(Map<String, Object> result, List<String> lines) {
        StringBuilder out = new StringBuilder();
        out.append("Gantry load test: ")
                .append(result.get("scenario"))
                .append(" at scale ")
                .append(result.get("scale"))
                .append(" (")
                .append(result.get("mode"))
                .append(")\n");
        out.append(String.format(
                Locale.ROOT,
                "  world: %s Gateway(s), %s ListenerSets, %s listeners, %s routes, %s" + " Services; %s proxies (%s)%n",
                result.get("gateways"),
                result.get("listenersets"),
                result.get("listeners"),
                result.get("routes"),
                result.get("services"),
                result.get("proxies"),
                result.get("protocol")));
        for (String line : lines) {
            out.append("  ").append(line).append('\n');
        }
        if (result.get("heap_after_gc_mib") != null) {
            out.append("  process heap after GC at the end: ")
                    .append(result.get("heap_after_gc_mib"))
                    .append(" MiB (in-memory API, controller, shards and fleet together)\n");
        }
        if (result.get("cpu_seconds") instanceof Map<?, ?> cpu && cpu.containsKey("process")) {
            out.append("  CPU seconds in the measured phase: process ")
                    .append(cpu.get("process"))
                    .append(", shards ")
                    .append(cpu.get("shards"))
                    .append(", controller ")
                    .append(cpu.get("controller"))
                    .append(", fleet ")
                    .append(cpu.get("fleet"))
                    .append(", kube I/O ")
                    .append(cpu.get("kube_io"))
                    .append('\n');
        }
        if (result.get("error") != null) {
            out.append("  ERROR: ").append(result.get("error")).append('\n');
        }
        return out.toString();
    }

    static String html(
            Map<String, Object> result,
            List<String> lines,
            long[] latencies,
            List<HeapMeter.Point> points,
            List<HeapMeter.Mark> marks) {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Gantry load test: ")
                .append(escape(String.valueOf(result.get("scenario"))))
                .append("</title>\n<style>")
                .append("body{font-family:sans-serif;margin:2em;max-width:1000px}pre{background:#f4f4f4;padding:1em;"
                        + "overflow:auto;font-size:12px}svg{background:#fff;border:1px solid #ccc}text{font-size:11px}</style>"
                        + "</head><body>\n");
        html.append("<h1>Gantry load test: ")
                .append(escape(String.valueOf(result.get("scenario"))))
                .append("</h1>\n");
        html.append("<p>")
                .append(escape(String.valueOf(result.get("date"))))
                .append(", scale ")
                .append(result.get("scale"))
                .append(", ")
                .append(escape(String.valueOf(result.get("mode"))))
                .append("</p>\n");
        html.append("<ul>");
        for (String line : lines) {
            html.append("<li>").append(escape(line)).append("</li>");
        }
        html.append("</ul>\n");
        if (latencies != null && latencies.length > 0) {
            html.append("<h2>Propagation latency distribution (write to xDS response, every proxy)</h2>\n");
            html.append(cdf(latencies));
        }
        if (!points.isEmpty()) {
            html.append("<h2>Used heap over time (MiB, not after GC) and process CPU (cores busy)</h2>\n");
            html.append(timeline(points, marks));
        }
        html.append("<h2>Result</h2>\n<pre>").append(escape(Json.write(result))).append("</pre>\n</body></html>\n");
        return html.toString();
    }

    private static final int W = 900;
    private static final int H = 320;
    private static final int L = 60;
    private static final int R = 60;
    private static final int T = 20;
    private static final int B = 40;

    /** Cumulative distribution of latencies, with p50, p90 and p99 marked. */
    private static String cdf(long[] sorted) {
        double max = sorted[sorted.length - 1] / 1e6;
        double xMax = niceCeiling(max);
        StringBuilder svg = new StringBuilder(svgOpen());
        axes(svg, xMax, "ms", 1.0, "fraction of deliveries");
        StringBuilder path = new StringBuilder();
        int step = Math.max(1, sorted.length / 2000);
        for (int i = 0; i < sorted.length; i += step) {
            point(path, i == 0, x(sorted[i] / 1e6, xMax), y((i + 1) / (double) sorted.length, 1.0));
        }
        point(path, false, x(max, xMax), y(1.0, 1.0));
        svg.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n");
        for (double p : new double[] {50, 90, 99}) {
            int rank = Math.max(0, (int) Math.ceil(p / 100 * sorted.length) - 1);
            double value = sorted[rank] / 1e6;
            double px = x(value, xMax);
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#d62728\""
                            + " stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%d\" fill=\"#d62728\">p%.0f %.1f ms</text>%n",
                    px,
                    T,
                    px,
                    H - B,
                    px + 3,
                    T + 12 + 14 * (p == 50 ? 0 : p == 90 ? 1 : 2),
                    p,
                    value));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String timeline(List<HeapMeter.Point> points, List<HeapMeter.Mark> marks) {
        double tMax = Math.max(1, points.getLast().millis() / 1000.0);
        double heapMax = niceCeiling(
                points.stream().mapToLong(HeapMeter.Point::usedBytes).max().orElse(1) / 1048576.0);
        int cores = Runtime.getRuntime().availableProcessors();
        StringBuilder svg = new StringBuilder(svgOpen());
        axes(svg, niceCeiling(tMax), "s", heapMax, "MiB");
        double xMax = niceCeiling(tMax);
        StringBuilder heap = new StringBuilder();
        StringBuilder cpu = new StringBuilder();
        HeapMeter.Point previous = null;
        for (HeapMeter.Point point : points) {
            double t = point.millis() / 1000.0;
            point(heap, previous == null, x(t, xMax), y(point.usedBytes() / 1048576.0, heapMax));
            if (previous != null && point.millis() > previous.millis()) {
                double busy =
                        (point.cpuSeconds() - previous.cpuSeconds()) / ((point.millis() - previous.millis()) / 1000.0);
                point(cpu, cpu.isEmpty(), x(t, xMax), y(Math.min(cores, busy), cores));
            }
            previous = point;
        }
        svg.append("<path d=\"").append(heap).append("\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\"/>\n");
        svg.append("<path d=\"")
                .append(cpu)
                .append("\" fill=\"none\" stroke=\"#ff7f0e\" stroke-width=\"1\"" + " opacity=\"0.7\"/>\n");
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" fill=\"#1f77b4\">used heap (MiB, left axis)"
                        + "</text><text x=\"%d\" y=\"%d\" fill=\"#ff7f0e\">process CPU (cores busy, 0 to %d)</text>"
                        + "<text x=\"%d\" y=\"%d\" fill=\"#ff7f0e\">%d cores</text>%n",
                L + 200,
                T - 6,
                L + 400,
                T - 6,
                cores,
                W - R + 4,
                T + 4,
                cores));
        int row = 0;
        for (HeapMeter.Mark mark : marks) {
            double px = x(mark.millis() / 1000.0, xMax);
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\""
                            + " stroke-dasharray=\"2 3\"/><text x=\"%.1f\" y=\"%d\" fill=\"#555\">%s</text>%n",
                    px,
                    T,
                    px,
                    H - B,
                    px + 2,
                    T + 10 + (row++ % 6) * 12,
                    escape(mark.label())));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String svgOpen() {
        return String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\"" + " viewBox=\"0 0 %d %d\">%n",
                W,
                H,
                W,
                H);
    }

    private static void axes(StringBuilder svg, double xMax, String xUnit, double yMax, String yLabel) {
        svg.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>"
                        + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>%n",
                L,
                H - B,
                W - R,
                H - B,
                L,
                T,
                L,
                H - B));
        for (int i = 0; i <= 5; i++) {
            double xv = xMax * i / 5;
            double yv = yMax * i / 5;
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s %s</text>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>"
                            + "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>%n",
                    x(xv, xMax),
                    H - B + 15,
                    label(xv),
                    i == 5 ? xUnit : "",
                    L - 4,
                    y(yv, yMax) + 4,
                    label(yv),
                    L + 1,
                    y(yv, yMax),
                    W - R,
                    y(yv, yMax)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", 4, T - 6, escape(yLabel)));
    }

    private static void point(StringBuilder path, boolean first, double x, double y) {
        path.append(first ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
    }

    private static double x(double value, double max) {
        return L + (W - L - R) * Math.min(1, value / max);
    }

    private static double y(double value, double max) {
        return H - B - (H - T - B) * Math.min(1, value / max);
    }

    private static String label(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.2g", value);
    }

    private static double niceCeiling(double value) {
        if (value <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (value <= step * magnitude) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
