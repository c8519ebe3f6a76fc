package org.un2clip.cluster.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.un2clip.actors.objective.demo.DemoSettings;

/** (h) {@code summary.json}, {@code report.md} and {@code report.html}: tables, loss curves, reconstructions, config, timings. */
final class DemoReport {
    private static final int CURVE_POINTS = 100;

    private DemoReport() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> write(Path dir, DemoSettings s, DemoPipeline.Outcome o, double wallSeconds, String configText) throws IOException {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("wall_seconds", wallSeconds);
        Map<String, Object> stages = new LinkedHashMap<>();
        o.stages().forEach((k, r) -> {
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("seconds", r.seconds());
            st.put("ran_on", r.ranOn());
            st.put("trainers", r.trainers());
            st.put("steps", r.losses().size());
            st.put("first_loss", r.losses().isEmpty() ? null : r.losses().get(0));
            st.put("last_loss", r.losses().isEmpty() ? null : r.losses().get(r.losses().size() - 1));
            st.put("loss_curve", downsample(r.losses()));
            Map<String, Object> res = new LinkedHashMap<>(r.results());
            res.remove("embedding_mean");
            res.remove("embedding_std");
            st.put("results", res);
            stages.put(k, st);
        });
        summary.put("stages", stages);
        summary.put("evaluations", o.evaluations());
        summary.put("images", o.images());
        summary.put("config", s.raw().root().unwrapped());
        Files.createDirectories(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("summary.json").toFile(), summary);
        Files.writeString(dir.resolve("report.md"), markdown(o, wallSeconds, configText));
        Files.writeString(dir.resolve("report.html"), html(o, wallSeconds, configText));
        return summary;
    }

    static List<Double> downsample(List<Double> losses) {
        if (losses.size() <= CURVE_POINTS) {
            return losses;
        }
        List<Double> out = new ArrayList<>();
        int per = (losses.size() + CURVE_POINTS - 1) / CURVE_POINTS;
        for (int i = 0; i < losses.size(); i += per) {
            double sum = 0;
            int n = 0;
            for (int j = i; j < Math.min(losses.size(), i + per); j++) {
                sum += losses.get(j);
                n++;
            }
            out.add(sum / n);
        }
        return out;
    }

    /** Rows: pattern names, then mean, zero-shot, diffusion loss; columns: the evaluated encoders. */
    @SuppressWarnings("unchecked")
    static List<List<String>> resultTable(Map<String, Map<String, Object>> ev) {
        List<String> encoders = new ArrayList<>(ev.keySet());
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("metric"));
        header.addAll(encoders);
        rows.add(header);
        Map<String, Double> first = (Map<String, Double>) ev.get(encoders.get(0)).get("mmvp_patterns");
        for (String pattern : first.keySet()) {
            List<String> row = new ArrayList<>(List.of("MMVP " + pattern + " (%)"));
            for (String e : encoders) {
                row.add(fmt(((Map<String, Double>) ev.get(e).get("mmvp_patterns")).get(pattern), 1));
            }
            rows.add(row);
        }
        rows.add(metricRow(ev, encoders, "**MMVP mean (%)**", "mmvp_mean", 1));
        rows.add(metricRow(ev, encoders, "zero-shot kinds, held-out (%)", "zero_shot", 1));
        rows.add(metricRow(ev, encoders, "held-out diffusion loss", "heldout_diffusion_loss", 5));
        return rows;
    }

    private static List<String> metricRow(Map<String, Map<String, Object>> ev, List<String> encoders, String label, String key, int digits) {
        List<String> row = new ArrayList<>(List.of(label));
        for (String e : encoders) {
            row.add(fmt((Double) ev.get(e).get(key), digits));
        }
        return row;
    }

    private static String fmt(Double v, int digits) {
        return v == null ? "" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String markdown(DemoPipeline.Outcome o, double wall, String config) {
        StringBuilder b = new StringBuilder("# un²CLIP miniature experiment\n\n");
        b.append(String.format(Locale.ROOT, "Wall time: %.1f s.%n%n## Results (original vs fine-tuned encoders)%n%n", wall));
        List<List<String>> t = resultTable(o.evaluations());
        for (int i = 0; i < t.size(); i++) {
            b.append("| ").append(String.join(" | ", t.get(i))).append(" |\n");
            if (i == 0) {
                b.append("|---".repeat(t.get(0).size())).append("|\n");
            }
        }
        b.append("\n## Stages\n\n| stage | ran on | steps | first loss | last loss | seconds |\n|---|---|---|---|---|---|\n");
        o.stages().forEach((k, r) -> b.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %.1f |%n", k, ranOn(r),
                r.losses().size(), r.losses().isEmpty() ? "" : fmt(r.losses().get(0), 5),
                r.losses().isEmpty() ? "" : fmt(r.losses().get(r.losses().size() - 1), 5), r.seconds())));
        for (String img : o.images()) {
            b.append("\n## Reconstructions\n\nRows: held-out input, DDIM from the original encoder's embedding, from the fine-tuned one.\n\n")
                    .append("![reconstructions](").append(img).append(")\n");
        }
        b.append("\n## Configuration\n\n```\n").append(config).append("\n```\n");
        return b.toString();
    }

    /** "runtime, 2 trainer JVMs" / "in-process, 2 ranks" for training stages; "in-process" for the others. */
    static String ranOn(StageRecord r) {
        if (r.trainers() <= 0) {
            return r.ranOn();
        }
        return r.ranOn() + ", " + r.trainers() + (r.ranOn().equals(DemoSettings.RUNTIME)
                ? " trainer JVMs" : " ranks");
    }

    private static String html(DemoPipeline.Outcome o, double wall, String config) {
        StringBuilder b = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>un²CLIP miniature experiment</title>")
                .append("<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #aaa;padding:3px 8px;text-align:right}td:first-child{text-align:left}</style></head><body>")
                .append("<h1>un²CLIP miniature experiment</h1>")
                .append(String.format(Locale.ROOT, "<p>Wall time: %.1f s.</p><h2>Results</h2><table>", wall));
        List<List<String>> t = resultTable(o.evaluations());
        for (int i = 0; i < t.size(); i++) {
            String cell = i == 0 ? "th" : "td";
            b.append("<tr>");
            for (String c : t.get(i)) {
                b.append('<').append(cell).append('>').append(escape(c.replace("**", ""))).append("</").append(cell).append('>');
            }
            b.append("</tr>");
        }
        b.append("</table><h2>Loss curves</h2>");
        o.stages().forEach((k, r) -> {
            if (!r.losses().isEmpty()) {
                b.append("<h3>").append(escape(k)).append(String.format(Locale.ROOT, " (%d steps, %.1f s, %s)</h3>", r.losses().size(),
                        r.seconds(), ranOn(r))).append(svg(downsample(r.losses())));
            }
        });
        for (String img : o.images()) {
            b.append("<h2>Reconstructions</h2><p>Rows: held-out input; DDIM from the original encoder; from the fine-tuned encoder.</p>")
                    .append("<img src=\"").append(escape(img)).append("\">");
        }
        b.append("<h2>Configuration</h2><pre>").append(escape(config)).append("</pre></body></html>\n");
        return b.toString();
    }

    /** A polyline of the (downsampled) losses, y from min to max. */
    static String svg(List<Double> ys) {
        int w = 600;
        int h = 160;
        double min = ys.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = ys.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        double span = max > min ? max - min : 1;
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < ys.size(); i++) {
            double x = ys.size() == 1 ? 0 : (double) i * (w - 10) / (ys.size() - 1) + 5;
            double y = h - 5 - (ys.get(i) - min) / span * (h - 10);
            p.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" style=\"border:1px solid #ccc\"><polyline fill=\"none\" "
                + "stroke=\"#1565c0\" stroke-width=\"1.5\" points=\"%s\"/><text x=\"8\" y=\"14\" font-size=\"11\">max %.4g</text>"
                + "<text x=\"8\" y=\"%d\" font-size=\"11\">min %.4g</text></svg>", w, h, p.toString().trim(), max, h - 8, min);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
