package org.un2clip.actors.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * A node's metrics in the Prometheus text exposition format (version 0.0.4): counters, gauges (set or
 * read from a supplier) and histograms with fixed buckets. Updates are lock-free (adders), so the runtime
 * can feed it from any actor or transport thread; {@link #scrape()} reads a consistent-enough snapshot.
 *
 * <p>Label sets are fixed when a metric is registered (one registration per label combination), which
 * keeps the hot path allocation-free.
 */
public final class MetricsRegistry {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final Map<String, Family> families = new LinkedHashMap<>();
    private final Map<String, String> constantLabels;

    /** @param constantLabels labels on every sample, e.g. run, node and rank */
    public MetricsRegistry(Map<String, String> constantLabels) {
        constantLabels.keySet().forEach(MetricsRegistry::checkLabel);
        this.constantLabels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(constantLabels));
    }

    public Counter counter(String name, String help, String... labels) {
        Counter c = new Counter();
        register(name, help, "counter", labels, c);
        return c;
    }

    public Gauge gauge(String name, String help, String... labels) {
        Gauge g = new Gauge();
        register(name, help, "gauge", labels, g);
        return g;
    }

    /** A gauge read at scrape time (queue depths, counters kept elsewhere). */
    public void gauge(String name, String help, DoubleSupplier read, String... labels) {
        register(name, help, "gauge", labels, (Sample) out -> out.add(new Line("", read.getAsDouble(), "")));
    }

    /** A counter kept elsewhere (e.g. a receiver's own counts), read at scrape time. */
    public void counter(String name, String help, DoubleSupplier read, String... labels) {
        register(name, help, "counter", labels, (Sample) out -> out.add(new Line("", read.getAsDouble(), "")));
    }

    /** @param upperBounds strictly increasing bucket bounds; +Inf is added */
    public Histogram histogram(String name, String help, double[] upperBounds, String... labels) {
        for (int i = 1; i < upperBounds.length; i++) {
            if (!(upperBounds[i] > upperBounds[i - 1])) {
                throw new IllegalArgumentException(name + ": bucket bounds must increase: "
                        + Arrays.toString(upperBounds));
            }
        }
        Histogram h = new Histogram(upperBounds.clone());
        register(name, help, "histogram", labels, h);
        return h;
    }

    private synchronized void register(String name, String help, String type, String[] labels, Sample sample) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a Prometheus metric name: '" + name + "'");
        }
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException(name + ": labels come as name, value pairs");
        }
        StringBuilder labelText = new StringBuilder();
        Map<String, String> all = new LinkedHashMap<>(constantLabels);
        for (int i = 0; i < labels.length; i += 2) {
            checkLabel(labels[i]);
            all.put(labels[i], labels[i + 1]);
        }
        all.forEach((k, v) -> labelText.append(labelText.length() == 0 ? "" : ",").append(k).append("=\"")
                .append(escape(v)).append('"'));
        Family f = families.computeIfAbsent(name, n -> new Family(n, help, type, new ArrayList<>()));
        if (!f.type.equals(type)) {
            throw new IllegalArgumentException(name + " is already registered as a " + f.type);
        }
        for (Series s : f.series) {
            if (s.labels.equals(labelText.toString())) {
                throw new IllegalArgumentException(name + "{" + labelText + "} is already registered");
            }
        }
        f.series.add(new Series(labelText.toString(), sample));
    }

    /** The text format a Prometheus server scrapes. */
    public synchronized String scrape() {
        StringBuilder out = new StringBuilder();
        List<Line> lines = new ArrayList<>();
        for (Family f : families.values()) {
            out.append("# HELP ").append(f.name).append(' ').append(f.help.replace("\\", "\\\\").replace("\n", "\\n"))
                    .append('\n');
            out.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            for (Series s : f.series) {
                lines.clear();
                s.sample.collect(lines);
                for (Line l : lines) {
                    out.append(f.name).append(l.suffix);
                    String labels = s.labels.isEmpty() ? l.extraLabel
                            : l.extraLabel.isEmpty() ? s.labels : s.labels + "," + l.extraLabel;
                    if (!labels.isEmpty()) {
                        out.append('{').append(labels).append('}');
                    }
                    out.append(' ').append(number(l.value)).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static void checkLabel(String label) {
        if (!LABEL.matcher(label).matches() || label.startsWith("__")) {
            throw new IllegalArgumentException("not a Prometheus label name: '" + label + "'");
        }
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    private record Family(String name, String help, String type, List<Series> series) {}

    private record Series(String labels, Sample sample) {}

    /** One exposition line of a series: name suffix (_bucket, _sum, ...), an extra label (le), the value. */
    private record Line(String suffix, double value, String extraLabel) {}

    private interface Sample {
        void collect(List<Line> out);
    }

    /** A monotonically increasing count. */
    public static final class Counter implements Sample {
        private final DoubleAdder value = new DoubleAdder();

        public void inc() {
            value.add(1);
        }

        public void add(double amount) {
            if (amount < 0) {
                throw new IllegalArgumentException("a counter only goes up, got " + amount);
            }
            value.add(amount);
        }

        public double get() {
            return value.sum();
        }

        @Override
        public void collect(List<Line> out) {
            out.add(new Line("", value.sum(), ""));
        }
    }

    /** A value that goes up and down. */
    public static final class Gauge implements Sample {
        private volatile double value = Double.NaN;

        public void set(double v) {
            value = v;
        }

        public double get() {
            return value;
        }

        @Override
        public void collect(List<Line> out) {
            out.add(new Line("", value, ""));
        }
    }

    /** Observations counted into cumulative buckets, with their sum and count. */
    public static final class Histogram implements Sample {
        private final double[] bounds;
        private final LongAdder[] buckets;
        private final DoubleAdder sum = new DoubleAdder();
        private final LongAdder count = new LongAdder();

        private Histogram(double[] bounds) {
            this.bounds = bounds;
            this.buckets = new LongAdder[bounds.length];
            for (int i = 0; i < bounds.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        public void observe(double v) {
            int i = Arrays.binarySearch(bounds, v);
            int first = i >= 0 ? i : -i - 1;
            if (first < bounds.length) {
                buckets[first].increment();
            }
            sum.add(v);
            count.increment();
        }

        public long count() {
            return count.sum();
        }

        @Override
        public void collect(List<Line> out) {
            long cumulative = 0;
            for (int i = 0; i < bounds.length; i++) {
                cumulative += buckets[i].sum();
                out.add(new Line("_bucket", cumulative, "le=\"" + number(bounds[i]) + "\""));
            }
            long n = count.sum();
            out.add(new Line("_bucket", n, "le=\"+Inf\""));
            out.add(new Line("_sum", sum.sum(), ""));
            out.add(new Line("_count", n, ""));
        }
    }
}
