package dev.gantry.xds;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * The metrics of xds-shards. Every metric carries a {@code shard} label, so the shards of one process (standalone
 * with several shards) share one registry.
 */
public final class ShardMetrics {

    final PrometheusRegistry registry;
    final Gauge informerSyncSeconds;
    final Gauge firstSnapshotSeconds;
    final Counter readinessTransitions;
    final Gauge ready;
    final Gauge connectedProxies;
    final Counter pushes;
    final Counter nacks;
    final Counter refusedStreams;
    final Counter heldTimeouts;
    final Histogram translationSeconds;
    final Counter translationCpuSeconds;
    final Histogram debounceBatchSize;
    final Histogram changeToSnapshotSeconds;
    final Histogram fanOutSeconds;
    final Counter snapshotsPublished;
    final Counter translationErrors;
    final Gauge ownedGateways;
    final Counter validationFailures;
    final Counter authFailures;
    final Counter streamsEnded;
    final Gauge servingCertificateExpiry;
    final Gauge streamsBehind;

    public ShardMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        informerSyncSeconds = Gauge.builder()
                .name("gantry_shard_informer_sync_seconds")
                .help("Time the informers took to list every input kind at start")
                .unit(Unit.SECONDS)
                .labelNames("shard")
                .register(registry);
        firstSnapshotSeconds = Gauge.builder()
                .name("gantry_shard_first_full_snapshot_seconds")
                .help("Time from start until every owned Gateway had a snapshot")
                .unit(Unit.SECONDS)
                .labelNames("shard")
                .register(registry);
        readinessTransitions = Counter.builder()
                .name("gantry_shard_readiness_transitions")
                .help("Changes of /readyz between ready and not ready")
                .labelNames("shard", "ready")
                .register(registry);
        ready = Gauge.builder()
                .name("gantry_shard_ready")
                .help("1 when /readyz answers 200")
                .labelNames("shard")
                .register(registry);
        connectedProxies = Gauge.builder()
                .name("gantry_xds_connected_proxies")
                .help("Open xDS streams per Gateway")
                .labelNames("shard", "gateway")
                .register(registry);
        pushes = Counter.builder()
                .name("gantry_xds_pushes")
                .help("xDS responses sent, by resource type")
                .labelNames("shard", "type")
                .register(registry);
        nacks = Counter.builder()
                .name("gantry_xds_nacks")
                .help("xDS responses rejected by a proxy, by resource type")
                .labelNames("shard", "type")
                .register(registry);
        refusedStreams = Counter.builder()
                .name("gantry_xds_refused_streams")
                .help("xDS streams refused, by reason")
                .labelNames("shard", "reason")
                .register(registry);
        heldTimeouts = Counter.builder()
                .name("gantry_xds_held_stream_timeouts")
                .help("Streams ended with UNAVAILABLE because the shard was not ready in time")
                .labelNames("shard")
                .register(registry);
        translationSeconds = Histogram.builder()
                .name("gantry_shard_translation_seconds")
                .help("Time to translate one Gateway and build its Envoy resources")
                .unit(Unit.SECONDS)
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
                .labelNames("shard")
                .register(registry);
        translationCpuSeconds = Counter.builder()
                .name("gantry_shard_translation_cpu_seconds")
                .help(
                        "CPU time of the threads that translated Gateways and built their Envoy resources, while they did,"
                                + " the pool threads that a large Gateway's translation spreads its steps over included")
                .unit(Unit.SECONDS)
                .labelNames("shard")
                .register(registry);
        debounceBatchSize = Histogram.builder()
                .name("gantry_shard_debounce_batch_size")
                .help("Changes handled together after one debounce")
                .classicUpperBounds(1, 2, 5, 10, 50, 100, 500, 1000, 10000)
                .labelNames("shard")
                .register(registry);
        changeToSnapshotSeconds = Histogram.builder()
                .name("gantry_shard_change_to_snapshot_seconds")
                .help(
                        "From the first change of a debounced batch reaching the shard until the first snapshot it changed"
                                + " was handed to the xDS cache (debounce, translation, validation)")
                .unit(Unit.SECONDS)
                .classicUpperBounds(
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.055, 0.06, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5)
                .labelNames("shard")
                .register(registry);
        fanOutSeconds = Histogram.builder()
                .name("gantry_xds_fanout_seconds")
                .help("Time to send a new snapshot's answers to the proxies of its Gateway waiting for one (recorded"
                        + " when delta streams were answered)")
                .unit(Unit.SECONDS)
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
                .labelNames("shard")
                .register(registry);
        snapshotsPublished = Counter.builder()
                .name("gantry_shard_snapshots_published")
                .help("Gateway snapshots set because their content changed")
                .labelNames("shard")
                .register(registry);
        translationErrors = Counter.builder()
                .name("gantry_shard_translation_errors")
                .help("Translations that failed; the Gateway keeps its last good snapshot")
                .labelNames("shard")
                .register(registry);
        validationFailures = Counter.builder()
                .name("gantry_envoy_validation_failures")
                .help("Envoy resources held back because they break Envoy's field rules")
                .labelNames("shard")
                .register(registry);
        authFailures = Counter.builder()
                .name("gantry_xds_auth_failures")
                .help("xDS calls refused before anything was sent, by reason: the credential (no_certificate,"
                        + " untrusted, expired, not_yet_valid, not_a_proxy_credential, gateway_deleted, gateway_replaced,"
                        + " revoked), no_tls, or a credential of one Gateway asking for another (gateway_mismatch)")
                .labelNames("shard", "reason")
                .register(registry);
        streamsEnded = Counter.builder()
                .name("gantry_xds_streams_ended_by_credential")
                .help("Open xDS streams the shard ended because their credential stopped being good, by reason"
                        + " (expired, gateway_deleted, gateway_replaced, revoked)")
                .labelNames("shard", "reason")
                .register(registry);
        servingCertificateExpiry = Gauge.builder()
                .name("gantry_xds_serving_certificate_expiry_timestamp_seconds")
                .help("When the serving certificate the shard presents expires (Unix time)")
                .unit(Unit.SECONDS)
                .labelNames("shard")
                .register(registry);
        streamsBehind = Gauge.builder()
                .name("gantry_xds_streams_behind")
                .help(
                        "xDS streams that have not acknowledged every type of their Gateway's latest configuration: on their"
                                + " way to it in make-before-break steps, or, when it stays, proxies that reject a change or never"
                                + " answer (they keep their last good configuration)")
                .labelNames("shard")
                .register(registry);
        ownedGateways = Gauge.builder()
                .name("gantry_shard_owned_gateways")
                .help("Gateways of Gantry's classes this shard owns")
                .labelNames("shard")
                .register(registry);
    }

    /** This shard's view of the shared metrics. */
    ForShard forShard(int index) {
        return new ForShard(this, Integer.toString(index));
    }

    /** The metrics with the shard label filled in. */
    record ForShard(ShardMetrics all, String shard) {
        PrometheusRegistry registry() {
            return all.registry;
        }

        void informerSync(double seconds) {
            all.informerSyncSeconds.labelValues(shard).set(seconds);
        }

        void firstSnapshot(double seconds) {
            all.firstSnapshotSeconds.labelValues(shard).set(seconds);
        }

        void becameReady() {
            all.ready.labelValues(shard).set(1);
            all.readinessTransitions.labelValues(shard, "true").inc();
        }

        void proxyConnected(String gateway) {
            all.connectedProxies.labelValues(shard, gateway).inc();
        }

        void proxyDisconnected(String gateway) {
            all.connectedProxies.labelValues(shard, gateway).dec();
        }

        void pushed(String type) {
            all.pushes.labelValues(shard, type).inc();
        }

        void nacked(String type) {
            all.nacks.labelValues(shard, type).inc();
        }

        void refused(String reason) {
            all.refusedStreams.labelValues(shard, reason).inc();
        }

        void heldTimeout() {
            all.heldTimeouts.labelValues(shard).inc();
        }

        void translated(double seconds, double cpuSeconds) {
            all.translationSeconds.labelValues(shard).observe(seconds);
            if (cpuSeconds >= 0) {
                all.translationCpuSeconds.labelValues(shard).inc(cpuSeconds);
            }
        }

        void batch(int changes) {
            all.debounceBatchSize.labelValues(shard).observe(changes);
        }

        void published() {
            all.snapshotsPublished.labelValues(shard).inc();
        }

        void changeToSnapshot(double seconds) {
            all.changeToSnapshotSeconds.labelValues(shard).observe(seconds);
        }

        void fanOut(double seconds) {
            all.fanOutSeconds.labelValues(shard).observe(seconds);
        }

        void translationError() {
            all.translationErrors.labelValues(shard).inc();
        }

        void validationFailures(int count) {
            all.validationFailures.labelValues(shard).inc(count);
        }

        void authFailure(String reason) {
            all.authFailures.labelValues(shard, reason).inc();
        }

        void streamEnded(String reason) {
            all.streamsEnded.labelValues(shard, reason).inc();
        }

        void servingCertificateExpiry(long epochSeconds) {
            all.servingCertificateExpiry.labelValues(shard).set(epochSeconds);
        }

        void streamsBehind(int streams) {
            all.streamsBehind.labelValues(shard).set(streams);
        }

        void owned(int gateways) {
            all.ownedGateways.labelValues(shard).set(gateways);
        }
    }
}
