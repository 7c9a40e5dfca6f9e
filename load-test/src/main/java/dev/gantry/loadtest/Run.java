package dev.gantry.loadtest;

import dev.gantry.config.GantrySettings;
import dev.gantry.kube.InMemoryDispatcher;
import dev.gantry.model.ObjectKey;
import dev.gantry.xds.XdsShard;
import dev.gantry.xds.client.AdsClient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The state of one load-test run, and the steps scenarios share. */
final class Run implements AutoCloseable {

    final Options options;
    final PrintStream log;
    final boolean bars;
    final long startNanos = System.nanoTime();
    final HeapMeter heap;
    /** The result, in the order its fields are written. */
    final Map<String, Object> result = new LinkedHashMap<>();

    private final List<Map<String, Object>> phases = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Fleet> fleets = new ArrayList<>();
    private Deployment deployment;
    private TestCertificates.Pem certificate;

    Run(Options options, PrintStream log, boolean bars) {
        this.options = options;
        this.log = log;
        this.bars = bars;
        this.heap = new HeapMeter(startNanos, 250);
        for (String field : new String[] {
            "scenario",
            "mode",
            "scale",
            "date",
            "machine",
            "settings",
            "gateways",
            "listenersets",
            "listeners",
            "hostnames",
            "routes",
            "services",
            "proxies",
            "protocol",
            "time_to_ready_ms",
            "time_to_first_config_ms",
            "propagation_ms",
            "propagation_minus_debounce_ms",
            "bytes_per_push",
            "pushes_per_client",
            "status_writes",
            "status_writes_per_object",
            "heap_after_gc_mib",
            "shard_heap_mib",
            "cpu_seconds"
        }) {
            result.put(field, null);
        }
    }

    Progress progress(String label, long total) {
        return new Progress(log, bars, label, total);
    }

    void info(String message) {
        log.println("[load-test] " + message);
    }

    /** A named, timed step; its duration goes to the result's {@code phases}. */
    final class Phase implements AutoCloseable {
        private final String name;
        private final long start = System.nanoTime();

        private Phase(String name) {
            this.name = name;
            heap.mark(name);
        }

        @Override
        public void close() {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", name);
            entry.put("ms", Math.round((System.nanoTime() - start) / 1e6));
            phases.add(entry);
        }
    }

    Phase phase(String name) {
        return new Phase(name);
    }

    List<Map<String, Object>> phases() {
        return phases;
    }

    TestCertificates.Pem certificate() {
        if (certificate == null) {
            certificate = TestCertificates.selfSigned("*.example.com");
        }
        return certificate;
    }

    /** Starts Gantry in-process (the controller as the options say, no shard yet), or connects to the remote one. */
    Deployment deploy() {
        if (options.remote()) {
            List<Deployment.ShardEndpoint> shards = new ArrayList<>();
            for (int i = 0; i < options.remoteShards().size(); i++) {
                shards.add(RemoteDeployment.parse(i, options.remoteShards().get(i)));
            }
            deployment = new RemoteDeployment(
                    shards, "true".equalsIgnoreCase(options.settings().get("GANTRY_XDS_INSECURE")));
        } else {
            try (Phase p = phase("start in-memory API" + (options.controller() ? " and controller" : ""))) {
                deployment = InProcessDeployment.start(options.settings(), options.controller());
            }
        }
        result.put("mode", options.remote() ? "remote" : "in-process");
        recordSettings();
        return deployment;
    }

    Deployment deployment() {
        return deployment;
    }

    /** The in-process deployment; a scenario that needs one refuses remote mode. */
    InProcessDeployment local(String why) {
        InProcessDeployment local = deployment.local();
        if (local == null) {
            throw new IllegalArgumentException("scenario " + options.scenario() + " needs Gantry in this process ("
                    + why + "); run it without --shard");
        }
        return local;
    }

    /** The settings in force, as the in-process components see them (remote: as far as the load test knows). */
    GantrySettings settings() {
        InProcessDeployment local = deployment == null ? null : deployment.local();
        if (local != null) {
            return local.settings(0, 1);
        }
        Map<String, String> env = new LinkedHashMap<>(options.settings());
        env.put("GANTRY_SHARD_INDEX", "0");
        env.put("GANTRY_SHARD_COUNT", "1");
        return GantrySettings.fromEnvironment(env);
    }

    private void recordSettings() {
        GantrySettings settings = settings();
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("debounce_ms", settings.debounce().toMillis());
        map.put("debounce_max_ms", settings.debounceMax().toMillis());
        map.put("status_qps", settings.statusQps());
        map.put("status_burst", settings.statusBurst());
        map.put("controller", !options.remote() && options.controller());
        map.put("provision_proxies", options.remote() ? null : settings.provisionProxies());
        map.put("overrides", new LinkedHashMap<>(options.settings()));
        if (options.remote()) {
            map.put("note", "remote mode: the settings of the running Gantry are not known to the load test");
        }
        result.put("settings", map);
    }

    /** Writes objects in parallel with a progress bar; the time is a setup phase, not a figure. */
    void apply(String label, List<? extends HasMetadata> objects) throws InterruptedException {
        try (Phase p = phase(label);
                Progress progress = progress(label, objects.size());
                Applier applier = new Applier(deployment.client(), 16)) {
            applier.applyAll(objects, progress);
        }
    }

    /**
     * Waits until the in-process controller has written every status (no status write for 1.5 s and none queued),
     * so the measurements that follow see a steady state; returns the status writes it saw.
     */
    long settle() throws InterruptedException {
        InProcessDeployment local = deployment.local();
        if (!options.settle()) {
            return -1;
        }
        if (local == null) {
            return settleRemote();
        }
        if (local.controller() == null) {
            return -1;
        }
        long deadline = System.nanoTime() + options.timeout().toNanos() * 6;
        try (Phase p = phase("controller writes status");
                Progress progress = progress("controller writing status", 0)) {
            StatusCounter counter = new StatusCounter(local, null);
            long last = -1;
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                long writes = counter.count();
                progress.set(writes);
                if (writes != last) {
                    last = writes;
                    quietSince = System.nanoTime();
                } else if (local.controller().pendingStatusWrites() == 0
                        && local.controller().pendingEvents() == 0
                        && System.nanoTime() - quietSince > TimeUnit.MILLISECONDS.toNanos(1500)) {
                    // The controller has also taken up its writes coming back: what it holds meanwhile is not the
                    // shard's.
                    return writes;
                }
                Thread.sleep(200);
            }
            info("the controller was still writing status when the settle timeout passed; measuring anyway");
            return last;
        }
    }

    /**
     * Against a running Gantry: waits until no Gateway, ListenerSet or HTTPRoute has changed for two seconds (the
     * controller has written their status); returns the changes seen.
     */
    private long settleRemote() throws InterruptedException {
        AtomicLong updates = new AtomicLong();
        AtomicLong lastUpdate = new AtomicLong(System.nanoTime());
        Runnable counter = () -> {
            updates.incrementAndGet();
            lastUpdate.set(System.nanoTime());
        };
        List<SharedIndexInformer<?>> informers = new ArrayList<>();
        try (Phase p = phase("wait for status writes to stop");
                Progress progress = progress("status updates seen", 0)) {
            informers.add(countUpdates(Gateway.class, counter));
            informers.add(countUpdates(ListenerSet.class, counter));
            informers.add(countUpdates(HTTPRoute.class, counter));
            long deadline = System.nanoTime() + options.timeout().toNanos() * 6;
            lastUpdate.set(System.nanoTime());
            while (System.nanoTime() < deadline && System.nanoTime() - lastUpdate.get() < 2_000_000_000L) {
                progress.set(updates.get());
                Thread.sleep(200);
            }
            return updates.get();
        } finally {
            informers.forEach(SharedIndexInformer::stop);
        }
    }

    private <T extends HasMetadata> SharedIndexInformer<T> countUpdates(Class<T> type, Runnable onUpdate) {
        return deployment
                .client()
                .resources(type)
                .inAnyNamespace()
                .inform(
                        new ResourceEventHandler<T>() {
                            @Override
                            public void onAdd(T object) {}

                            @Override
                            public void onUpdate(T previous, T current) {
                                onUpdate.run();
                            }

                            @Override
                            public void onDelete(T object, boolean unknown) {}
                        },
                        0);
    }

    /** Counts the controller's status writes in the in-memory API's request log, incrementally. */
    static final class StatusCounter {
        private final InProcessDeployment local;
        private final String pathPart;
        private int position;
        private long count;

        StatusCounter(InProcessDeployment local, String pathPart) {
            this.local = local;
            this.pathPart = pathPart;
        }

        /** Skips what was logged so far. */
        StatusCounter fromNow() {
            position = local.requestLog().size();
            return this;
        }

        long count() {
            List<InMemoryDispatcher.Call> log = local.requestLog();
            if (log.size() > position) {
                count += InProcessDeployment.statusWrites(log.subList(position, log.size()), pathPart);
                position = log.size();
            }
            return count;
        }
    }

    /**
     * Result of starting shards one after another.
     *
     * @param translationCpuSeconds CPU of the shard's translation threads, plus that of the common fork-join pool
     *     while the shard started (a large Gateway's translation is spread over the pool, and the shard starts alone);
     *     the threads also apply the informers' events of the whole world to the shard's store
     * @param translateCpuSeconds CPU spent translating the owned Gateways alone, pool threads that helped included:
     *     the shard's {@code gantry_shard_translation_cpu_seconds}
     * @param translateSeconds time the shard spent in translate() of its owned Gateways (its
     *     {@code gantry_shard_translation_seconds} metric), unlike its translation thread's CPU without applying the
     *     informer events of the whole world to its store
     * @param translations Gateway translations the shard made until it was ready (its owned Gateways, plus any
     *     made again for changes that arrived meanwhile)
     * @param cpuByComponent every component's CPU while the shard started ({@link CpuMeter#between})
     */
    record ShardStart(
            int index,
            long readyNanos,
            double cpuSeconds,
            double translationCpuSeconds,
            double translateCpuSeconds,
            long heapBytes,
            double translateSeconds,
            double translations,
            Map<String, Object> cpuByComponent) {}

    /**
     * Starts shards {@code 0..count-1} of {@code count}, one after another, each measured alone: time to ready
     * (start until {@link XdsShard#readiness()} is ready: informers listed, every owned Gateway translated and
     * published), its CPU, and (with {@code measureHeap}) the heap it retains: used heap after GC once it is ready
     * minus the same right before it started.
     */
    List<ShardStart> startShards(int count, boolean measureHeap) throws InterruptedException {
        InProcessDeployment local = local("it starts shards");
        List<ShardStart> starts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            try (Phase p = phase("start shard " + i + " of " + count);
                    Progress progress = progress("shard " + i + " of " + count + " cold start", 0)) {
                long before = measureHeap ? HeapMeter.usedAfterGc() : 0;
                CpuMeter.Sample cpu0 = CpuMeter.sample();
                long t0 = System.nanoTime();
                XdsShard shard = local.startShard(i, count);
                if (!InProcessDeployment.awaitReady(shard, options.timeout())) {
                    throw new IllegalStateException("shard " + i + " was not ready within " + options.timeout() + ": "
                            + shard.readiness().detail());
                }
                long ready = System.nanoTime() - t0;
                CpuMeter.Sample cpu1 = CpuMeter.sample();
                long after = measureHeap ? HeapMeter.usedAfterGc() : 0;
                Map<String, Object> cpu = CpuMeter.between(cpu0, cpu1);
                double translate = Double.NaN;
                double translateCpu = Double.NaN;
                double translations = Double.NaN;
                try {
                    String metrics = Http.get(local.shard(i).adminUrl() + "/metrics");
                    translate = Http.metric(metrics, "gantry_shard_translation_seconds_sum");
                    translateCpu = Http.metric(metrics, "gantry_shard_translation_cpu_seconds_total");
                    translations = Http.metric(metrics, "gantry_shard_translation_seconds_count");
                } catch (IOException e) {
                    info("could not read shard " + i + "'s metrics: " + e.getMessage());
                }
                // The thread-based figures add the common pool's CPU in this window, whoever used it; the shard's
                // metric counts only the pool threads that helped its own translations.
                double pool = CpuMeter.seconds(cpu, "common_pool");
                starts.add(new ShardStart(
                        i,
                        ready,
                        CpuMeter.seconds(cpu, "shard-" + i) + pool,
                        CpuMeter.seconds(cpu, "shard-" + i + ".translation") + pool,
                        translateCpu,
                        after - before,
                        translate,
                        translations,
                        cpu));
            }
        }
        return starts;
    }

    /** Connects a fleet and waits until every member holds a complete configuration; records the times. */
    Fleet connectFleet(List<ObjectKey> gateways, int proxies, boolean autoReconnect) throws InterruptedException {
        return connectFleet(gateways, proxies, autoReconnect, true);
    }

    /** Connects a fleet; with {@code awaitWarm}, waits until every member holds a complete configuration. */
    Fleet connectFleet(List<ObjectKey> gateways, int proxies, boolean autoReconnect, boolean awaitWarm)
            throws InterruptedException {
        Fleet fleet = new Fleet(
                deployment, Fleet.spread(proxies, gateways), options.protocol(), i -> i < options.nackProxies());
        closeables.add(fleet);
        fleets.add(fleet);
        boolean measureHeap = deployment.local() != null && awaitWarm;
        long heapBefore = measureHeap ? HeapMeter.usedAfterGc() : 0;
        CpuMeter.Sample cpu0 = CpuMeter.sample();
        try (Phase p = phase("connect " + proxies + " proxies");
                Progress progress = progress("proxies with a complete config", proxies)) {
            fleet.connect(autoReconnect);
            if (!awaitWarm) {
                result.put("proxies", proxies);
                result.put("protocol", options.protocol() == AdsClient.Protocol.DELTA ? "delta" : "sotw");
                return fleet;
            }
            if (!fleet.awaitWarm(options.timeout(), progress)) {
                long warm =
                        fleet.members().stream().filter(m -> m.warmNanos != 0).count();
                throw new IllegalStateException(
                        warm + " of " + proxies + " proxies had a complete configuration after " + options.timeout());
            }
        }
        result.put("proxies", proxies);
        result.put("protocol", options.protocol() == AdsClient.Protocol.DELTA ? "delta" : "sotw");
        Map<String, Object> connectCpu = CpuMeter.between(cpu0, CpuMeter.sample());
        result.put("time_to_first_config_ms", fleet.timeToFirstConfig().summary());
        result.put("fleet_warm_ms", Stats.ms(fleet.fleetWarmNanos() / 1e6));
        result.put(
                "xds_transport",
                gateways.isEmpty()
                        ? null
                        : deployment.xdsTransport(gateways.getFirst(), 0) instanceof AdsClient.Transport.Tls
                                ? "tls"
                                : "plaintext");
        // What connecting cost, TLS handshakes and credential checks included: the shards' serving threads (event
        // loops and gRPC) per proxy, and the whole process.
        result.put("connect_cpu_seconds", connectCpu);
        double serving = 0;
        for (int i = 0; i < deployment.shardCount(); i++) {
            serving += CpuMeter.seconds(connectCpu, "shard-" + i + ".serving");
        }
        result.put("connect_shard_serving_cpu_ms_per_proxy", proxies == 0 ? null : Stats.ms(serving * 1000 / proxies));
        result.put(
                "connect_fleet_cpu_ms_per_proxy",
                proxies == 0 ? null : Stats.ms(CpuMeter.seconds(connectCpu, "fleet") * 1000 / proxies));
        long[][] counters = fleet.counters();
        result.put("initial_config_bytes_per_proxy", proxies == 0 ? null : sum(counters[1]) / proxies);
        if (measureHeap) {
            // What the simulated proxies hold (equal resources are shared between them): not part of Gantry's figures.
            result.put("fleet_heap_mib", HeapMeter.mib(HeapMeter.usedAfterGc() - heapBefore));
        }
        return fleet;
    }

    /** Outcome of changes followed to the fleet. */
    record Propagation(List<Long> latencies, List<Long> allNanos, List<Long> firstNanos, int missed, int writes) {
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
    }

    /** A change to make and follow. */
    record Change(Probe probe, Runnable write) {}

    /**
     * Makes changes one at a time, each after the previous reached every expected proxy (or the timeout passed).
     */
    Propagation propagate(Fleet fleet, String label, List<Change> changes) throws InterruptedException {
        List<Long> latencies = new ArrayList<>();
        List<Long> all = new ArrayList<>();
        List<Long> first = new ArrayList<>();
        int missed = 0;
        try (Progress progress = progress(label, changes.size())) {
            for (Change change : changes) {
                fleet.follow(change.probe());
                change.probe().written();
                change.write().run();
                if (!change.probe().await(options.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    info(change.probe().missed() + " proxies never saw a " + change.probe().kind + " change");
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

    /** Records propagation figures: raw, minus the debounce, and until the last proxy. */
    void recordPropagation(Propagation propagation, long[][] countersBefore, long[][] countersAfter, Fleet fleet) {
        long debounceNanos = settings().debounce().toNanos();
        Stats stats = propagation.stats();
        result.put("propagation_ms", stats.summary());
        result.put("propagation_minus_debounce_ms", stats.minus(debounceNanos).summary());
        result.put("propagation_all_proxies_ms", propagation.allStats().summary());
        result.put("propagation_first_proxy_ms", propagation.firstStats().summary());
        result.put("debounce_ms", settings().debounce().toMillis());
        result.put("writes", propagation.writes());
        result.put("missed", propagation.missed());
        long responses = sum(countersAfter[0]) - sum(countersBefore[0]);
        long bytes = sum(countersAfter[1]) - sum(countersBefore[1]);
        result.put("bytes_per_push", responses == 0 ? null : bytes / responses);
        result.put(
                "pushes_per_client", fleet.size() == 0 ? null : Math.round(responses * 100.0 / fleet.size()) / 100.0);
        result.put(
                "pushes_per_client_per_write",
                fleet.size() == 0 || propagation.writes() == 0
                        ? null
                        : Math.round(responses * 100.0 / fleet.size() / propagation.writes()) / 100.0);
        result.put("bytes_per_client", fleet.size() == 0 ? null : bytes / fleet.size());
        latencySamples = stats.sortedNanos();
    }

    /** Latency samples for the chart (nanoseconds, sorted), if the scenario measured any. */
    long[] latencySamples;
    /** Lines of the human summary. */
    final List<String> summary = new ArrayList<>();

    void summary(String format, Object... args) {
        summary.add(String.format(Locale.ROOT, format, args));
    }

    static long sum(long[] values) {
        long sum = 0;
        for (long value : values) {
            sum += value;
        }
        return sum;
    }

    /** World size fields of the result. */
    void recordWorld(int gateways, int listenerSets, int listeners, int hostnames, int routes, int services) {
        result.put("gateways", gateways);
        result.put("listenersets", listenerSets);
        result.put("listeners", listeners);
        result.put("hostnames", hostnames);
        result.put("routes", routes);
        result.put("services", services);
    }

    void recordWorld(ScaleWorld world) {
        recordWorld(
                world.gateways(),
                world.listenerSets(),
                world.listeners(),
                world.listeners(),
                world.routes(),
                world.services());
    }

    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Make-before-break violations over every fleet of the run (see {@link Fleet#makeBeforeBreakViolations}). */
    long makeBeforeBreakViolations() {
        return fleets.stream().mapToLong(Fleet::makeBeforeBreakViolations).sum();
    }

    List<String> violationSamples(int most) {
        List<String> samples = new ArrayList<>();
        for (Fleet fleet : fleets) {
            samples.addAll(fleet.violationSamples(most - samples.size()));
        }
        return samples;
    }

    void closeLater(AutoCloseable closeable) {
        closeables.add(closeable);
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                // closing anyway
            }
        }
        if (deployment != null) {
            if (options.cleanup() && deployment.local() == null) {
                try {
                    info("deleting the namespaces labelled " + ScaleWorld.LABEL + "=true");
                    deployment
                            .client()
                            .namespaces()
                            .withLabel(ScaleWorld.LABEL, "true")
                            .delete();
                } catch (RuntimeException e) {
                    info("could not delete the generated namespaces: " + e.getMessage());
                }
            }
            deployment.close();
        }
        heap.close();
    }
}
