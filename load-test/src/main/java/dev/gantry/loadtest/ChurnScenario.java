package dev.gantry.loadtest;

import dev.gantry.model.ObjectKey;
import dev.gantry.xds.client.AdsClient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Churn on the ListenerSet scale world with the fleet connected, at fixed rates whatever Gantry's pace (open
 * loop): route edits (10/s), endpoint changes (2/s: an address of a Service replaced) and ListenerSets added and
 * removed again (0.5/s each way, each with a route). Every change is followed to the proxies of its Gateway.
 */
final class ChurnScenario implements Scenario {

    static final double ROUTE_EDITS_PER_SECOND = 10;
    static final double ENDPOINT_CHANGES_PER_SECOND = 2;
    static final double LISTENERSET_CHANGES_PER_SECOND = 1;

    private record Pending(Probe probe) {}

    @Override
    public void run(Run run) throws Exception {
        Options options = run.options;
        ScaleWorld world = ScaleWorld.listenerSetScale().scaled(options.scale());
        int proxies = options.proxies() != null ? options.proxies() : Options.scaled(1000, options.scale(), 1);
        int shards = options.shards() == null ? 1 : options.shards();
        Duration duration = options.duration() != null
                ? options.duration()
                : Duration.ofMillis(Math.max(10_000, Math.round(60_000 * options.scale())));
        run.recordWorld(world);
        Deployment deployment = run.deploy();
        run.apply(
                "apply the world",
                world.all(run.certificate().certificate(), run.certificate().privateKey()));
        run.result.put("status_writes_setup", run.settle());
        if (deployment.local() != null) {
            run.startShards(shards, false);
        }
        Fleet fleet = run.connectFleet(world.gatewayKeys(), proxies, false);
        String runId = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

        Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
        Map<String, Integer> issued = new ConcurrentHashMap<>();
        Map<String, Integer> missed = new ConcurrentHashMap<>();
        List<Pending> pending = Collections.synchronizedList(new ArrayList<>());
        ExecutorService writers = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "loadtest-churn-writer");
            thread.setDaemon(true);
            return thread;
        });
        run.closeLater(writers::shutdownNow);
        Deque<ListenerSet> added = new ArrayDeque<>();
        long[][] before = fleet.counters();
        CpuMeter.Sample cpu0 = CpuMeter.sample();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long routeEvery = (long) (1e9 / ROUTE_EDITS_PER_SECOND);
        long endpointEvery = (long) (1e9 / ENDPOINT_CHANGES_PER_SECOND);
        long setEvery = (long) (1e9 / LISTENERSET_CHANGES_PER_SECOND);
        long nextRoute = start;
        long nextEndpoint = start;
        long nextSet = start;
        int k = 0;
        try (Run.Phase p = run.phase("churn for " + duration.toSeconds() + " s");
                Progress progress = run.progress("churn", duration.toSeconds())) {
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                if (now >= nextRoute) {
                    nextRoute += routeEvery;
                    int index = (int) ((long) k * 7919 % world.listenerSets());
                    int n = index / world.setsPerNamespace();
                    int s = index % world.setsPerNamespace();
                    int r = k % world.routesPerListener();
                    boolean nack = options.nackProxies() > 0 && k % 10 == 0;
                    String path = "/churn/" + runId + "/" + k + (nack ? "/" + Fleet.NACK_MARKER : "");
                    HTTPRoute route = ScaleWorld.route(
                            ScaleWorld.namespace(n),
                            ScaleWorld.routeName(s, 0, r),
                            ScaleWorld.setName(s),
                            null,
                            path,
                            ScaleWorld.serviceName(r % world.servicesPerNamespace()));
                    start(
                            run,
                            fleet,
                            writers,
                            pending,
                            issued,
                            new Probe(
                                    "route-edit",
                                    AdsClient.ROUTE,
                                    ScaleWorld.routeTable(ScaleWorld.hostname(n, s, 0)),
                                    path,
                                    true,
                                    fleet.membersOf(Set.of(ScaleWorld.gatewayKey(world.gatewayOf(n, s))))),
                            route,
                            false);
                }
                if (now >= nextEndpoint) {
                    nextEndpoint += endpointEvery;
                    int n = k % world.namespaces();
                    int v = (k / world.namespaces()) % world.servicesPerNamespace();
                    String address = String.format("10.%d.%d.%d", 200 + (k >> 16) % 50, (k >> 8) & 0xff, k & 0xff);
                    Set<ObjectKey> gateways = new HashSet<>();
                    for (int s = 0; s < world.setsPerNamespace(); s++) {
                        gateways.add(ScaleWorld.gatewayKey(world.gatewayOf(n, s)));
                    }
                    start(
                            run,
                            fleet,
                            writers,
                            pending,
                            issued,
                            new Probe(
                                    "endpoint-change",
                                    AdsClient.ENDPOINT,
                                    null,
                                    address,
                                    true,
                                    fleet.membersOf(gateways)),
                            world.endpointSlice(n, v, List.of(address)),
                            false);
                }
                if (now >= nextSet) {
                    nextSet += setEvery;
                    ListenerSet removable;
                    synchronized (added) {
                        removable = added.size() >= 2 ? added.pollFirst() : null;
                    }
                    if (removable != null) {
                        String hostname =
                                removable.getSpec().getListeners().getFirst().getHostname();
                        ObjectKey gateway = new ObjectKey(
                                ScaleWorld.GATEWAY_NAMESPACE,
                                removable.getSpec().getParentRef().getName());
                        start(
                                run,
                                fleet,
                                writers,
                                pending,
                                issued,
                                new Probe(
                                        "listenerset-remove",
                                        AdsClient.LISTENER,
                                        null,
                                        hostname,
                                        false,
                                        fleet.membersOf(Set.of(gateway))),
                                removable,
                                true);
                    } else {
                        int n = k % world.namespaces();
                        int g = k % world.gateways();
                        String hostname = "churn-" + runId + "-" + k + ".example.com";
                        ListenerSet set = ScaleWorld.listenerSet(
                                ScaleWorld.namespace(n),
                                "churn-" + runId + "-" + k,
                                ScaleWorld.gatewayName(g),
                                List.of(hostname));
                        HTTPRoute route = ScaleWorld.route(
                                ScaleWorld.namespace(n),
                                "churn-" + runId + "-" + k,
                                set.getMetadata().getName(),
                                null,
                                "/",
                                ScaleWorld.serviceName(0));
                        synchronized (added) {
                            added.addLast(set);
                        }
                        Probe probe = new Probe(
                                "listenerset-add",
                                AdsClient.LISTENER,
                                null,
                                hostname,
                                true,
                                fleet.membersOf(Set.of(ScaleWorld.gatewayKey(g))));
                        fleet.follow(probe);
                        pending.add(new Pending(probe));
                        issued.merge(probe.kind, 1, Integer::sum);
                        writers.submit(() -> {
                            probe.written();
                            Applier.write(deployment.client(), set);
                            Applier.write(deployment.client(), route);
                            return null;
                        });
                    }
                }
                k++;
                progress.set((System.nanoTime() - start) / 1_000_000_000L);
                collect(fleet, pending, latencies, missed, false, options.timeout());
                long sleep = Math.min(nextRoute, Math.min(nextEndpoint, nextSet)) - System.nanoTime();
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
        }
        try (Run.Phase p = run.phase("wait for the last changes")) {
            long deadline = System.nanoTime() + options.timeout().toNanos();
            while (!pending.isEmpty() && System.nanoTime() < deadline) {
                collect(fleet, pending, latencies, missed, false, options.timeout());
                Thread.sleep(20);
            }
            collect(fleet, pending, latencies, missed, true, options.timeout());
        }
        CpuMeter.Sample cpu1 = CpuMeter.sample();
        long[][] after = fleet.counters();
        Map<String, Object> byKind = new LinkedHashMap<>();
        List<Long> all = new ArrayList<>();
        for (String kind : List.of("route-edit", "endpoint-change", "listenerset-add", "listenerset-remove")) {
            List<Long> samples = latencies.getOrDefault(kind, List.of());
            all.addAll(samples);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("changes", issued.getOrDefault(kind, 0));
            entry.put(
                    "propagation_ms",
                    new Stats(samples.stream().mapToLong(Long::longValue).toArray()).summary());
            entry.put("missed", missed.getOrDefault(kind, 0));
            byKind.put(kind, entry);
        }
        Map<String, Object> rates = new LinkedHashMap<>();
        rates.put("route_edits_per_second", ROUTE_EDITS_PER_SECOND);
        rates.put("endpoint_changes_per_second", ENDPOINT_CHANGES_PER_SECOND);
        rates.put("listenerset_changes_per_second", LISTENERSET_CHANGES_PER_SECOND);
        rates.put("duration_seconds", duration.toMillis() / 1000.0);
        run.result.put("churn", Map.of("rates", rates, "by_kind", byKind));
        Stats stats = new Stats(all.stream().mapToLong(Long::longValue).toArray());
        run.result.put("propagation_ms", stats.summary());
        run.result.put(
                "propagation_minus_debounce_ms",
                stats.minus(run.settings().debounce().toNanos()).summary());
        run.result.put("debounce_ms", run.settings().debounce().toMillis());
        long responses = Run.sum(after[0]) - Run.sum(before[0]);
        long bytes = Run.sum(after[1]) - Run.sum(before[1]);
        run.result.put("bytes_per_push", responses == 0 ? null : bytes / responses);
        run.result.put(
                "pushes_per_client", fleet.size() == 0 ? null : Math.round(responses * 100.0 / fleet.size()) / 100.0);
        run.result.put("nacks_sent", fleet.nacksSent());
        run.result.put("cpu_seconds", CpuMeter.between(cpu0, cpu1));
        run.latencySamples = stats.sortedNanos();
        if (deployment.local() != null) {
            run.result.put("heap_after_gc_mib", HeapMeter.mib(HeapMeter.usedAfterGc()));
        }
        byKind.forEach((kind, value) -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> entry = (Map<String, Object>) value;
            @SuppressWarnings("unchecked")
            Map<String, Object> prop = (Map<String, Object>) entry.get("propagation_ms");
            run.summary(
                    "%s: %s changes, propagation p50 %s ms, p99 %s ms, missed %s",
                    kind, entry.get("changes"), prop.get("p50"), prop.get("p99"), entry.get("missed"));
        });
    }

    private static void start(
            Run run,
            Fleet fleet,
            ExecutorService writers,
            List<Pending> pending,
            Map<String, Integer> issued,
            Probe probe,
            HasMetadata object,
            boolean delete) {
        fleet.follow(probe);
        pending.add(new Pending(probe));
        issued.merge(probe.kind, 1, Integer::sum);
        writers.submit(() -> {
            probe.written();
            if (delete) {
                run.deployment().client().resource(object).delete();
            } else {
                Applier.write(run.deployment().client(), object);
            }
            return null;
        });
    }

    /** Moves finished probes (all expected proxies saw them, or {@code force}, or timed out) into the results. */
    private static void collect(
            Fleet fleet,
            List<Pending> pending,
            Map<String, List<Long>> latencies,
            Map<String, Integer> missed,
            boolean force,
            Duration timeout) {
        synchronized (pending) {
            for (var it = pending.iterator(); it.hasNext(); ) {
                Probe probe = it.next().probe();
                boolean complete = probe.missed() == 0;
                boolean expired = probe.writeNanos() != 0 && System.nanoTime() - probe.writeNanos() > timeout.toNanos();
                if (complete || force || expired) {
                    fleet.forget(probe);
                    latencies
                            .computeIfAbsent(probe.kind, x -> Collections.synchronizedList(new ArrayList<>()))
                            .addAll(probe.latencies());
                    if (probe.missed() > 0) {
                        missed.merge(probe.kind, probe.missed(), Integer::sum);
                    }
                    it.remove();
                }
            }
        }
    }
}
