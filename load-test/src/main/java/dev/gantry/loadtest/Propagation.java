package dev.gantry.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Outcome of changes followed to the fleet, one after another: per change, the latency to each proxy that had to see
 * it, to the last of them and to the first.
 */
record Propagation(List<Long> latencies, List<Long> allNanos, List<Long> firstNanos, int missed, int writes) {

    /** A change to make and follow. */
    record Change(Probe probe, Runnable write) {}

    /**
     * Makes changes one at a time, each after the previous reached every expected proxy (or the timeout passed).
     */
    static Propagation follow(Run run, Fleet fleet, String label, List<Change> changes) throws InterruptedException {
        List<Long> latencies = new ArrayList<>();
        List<Long> all = new ArrayList<>();
        List<Long> first = new ArrayList<>();
        int missed = 0;
        try (Progress progress = run.progress(label, changes.size())) {
            for (Change change : changes) {
                fleet.follow(change.probe());
                change.probe().written();
                change.write().run();
                if (!change.probe().await(run.options.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    run.info(change.probe().missed() + " proxies never saw a " + change.probe().kind + " change");
                }
                fleet.forget(change.probe());
                latencies.addAll(change.probe().latencies());
                change.probe().latencies().stream()
                        .mapToLong(Long::longValue)
                        .min()
                        .ifPresent(first::add);
                long allNanos = change.probe().allNanos();
                if (allNanos >= 0) {
                    all.add(allNanos);
                }
                missed += change.probe().missed();
                progress.advance(1);
            }
        }
        return new Propagation(latencies, all, first, missed, changes.size());
    }

    Stats stats() {
        return of(latencies);
    }

    Stats allStats() {
        return of(allNanos);
    }

    /** Per change, until the first proxy had it: Gantry's own path, before the fan-out to the rest. */
    Stats firstStats() {
        return of(firstNanos);
    }

    private static Stats of(List<Long> nanos) {
        return new Stats(nanos.stream().mapToLong(Long::longValue).toArray());
    }

    /** Records propagation figures: raw, minus the debounce, and until the last proxy. */
    void recordIn(Run run, long[][] countersBefore, long[][] countersAfter, Fleet fleet) {
        long debounceNanos = run.settings().debounce().toNanos();
        Stats stats = stats();
        run.result.put("propagation_ms", stats.summary());
        run.result.put(
                "propagation_minus_debounce_ms", stats.minus(debounceNanos).summary());
        run.result.put("propagation_all_proxies_ms", allStats().summary());
        run.result.put("propagation_first_proxy_ms", firstStats().summary());
        run.result.put("debounce_ms", run.settings().debounce().toMillis());
        run.result.put("writes", writes());
        run.result.put("missed", missed());
        long responses = Run.sum(countersAfter[0]) - Run.sum(countersBefore[0]);
        long bytes = Run.sum(countersAfter[1]) - Run.sum(countersBefore[1]);
        run.result.put("bytes_per_push", responses == 0 ? null : bytes / responses);
        run.result.put(
                "pushes_per_client", fleet.size() == 0 ? null : Math.round(responses * 100.0 / fleet.size()) / 100.0);
        run.result.put(
                "pushes_per_client_per_write",
                fleet.size() == 0 || writes() == 0
                        ? null
                        : Math.round(responses * 100.0 / fleet.size() / writes()) / 100.0);
        run.result.put("bytes_per_client", fleet.size() == 0 ? null : bytes / fleet.size());
        run.latencySamples = stats.sortedNanos();
    }
}
