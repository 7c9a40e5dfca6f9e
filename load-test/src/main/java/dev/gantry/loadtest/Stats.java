package dev.gantry.loadtest;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Percentiles of latency samples (nanoseconds in, milliseconds out), by sorting: exact, and cheap enough. */
final class Stats {

    private final long[] sorted;

    Stats(long[] nanos) {
        this.sorted = nanos.clone();
        Arrays.sort(sorted);
    }

    int count() {
        return sorted.length;
    }

    /** The value at or below which {@code p} percent of the samples lie (nearest rank), in milliseconds. */
    double percentileMs(double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    double maxMs() {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6;
    }

    double meanMs() {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (long value : sorted) {
            sum += value;
        }
        return sum / sorted.length / 1e6;
    }

    long[] sortedNanos() {
        return sorted;
    }

    /** {count, p50, p90, p99, max, mean} in milliseconds; null fields when there are no samples. */
    Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("count", sorted.length);
        summary.put("p50", ms(percentileMs(50)));
        summary.put("p90", ms(percentileMs(90)));
        summary.put("p99", ms(percentileMs(99)));
        summary.put("max", ms(maxMs()));
        summary.put("mean", ms(meanMs()));
        return summary;
    }

    /** The same samples minus a constant (e.g. the debounce), floored at zero. */
    Stats minus(long nanos) {
        long[] shifted = new long[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            shifted[i] = Math.max(0, sorted[i] - nanos);
        }
        return new Stats(shifted);
    }

    static Double ms(double value) {
        return Double.isNaN(value) ? null : Math.round(value * 100.0) / 100.0;
    }
}
