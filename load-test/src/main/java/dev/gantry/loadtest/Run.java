package dev.gantry.loadtest;

import dev.gantry.config.GantrySettings;
import dev.gantry.model.ObjectKey;
import dev.gantry.xds.XdsShard;
import dev.gantry.xds.client.AdsClient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
     * Waits until the controller has written every status, so the measurements that follow see a steady state; returns
     * the status writes it saw, or -1 when it did not wait (see {@link StatusSettling}).
     */
    long settle() throws InterruptedException {
        return StatusSettling.settle(this);
    }

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

    /** Makes changes one at a time, each after the previous reached every expected proxy (or the timeout passed). */
    Propagation propagate(Fleet fleet, String label, List<Propagation.Change> changes) throws InterruptedException {
        return Propagation.follow(this, fleet, label, changes);
    }

    /** Records propagation figures: raw, minus the debounce, and until the last proxy. */
    void recordPropagation(Propagation propagation, long[][] countersBefore, long[][] countersAfter, Fleet fleet) {
        propagation.recordIn(this, countersBefore, countersAfter, fleet);
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
