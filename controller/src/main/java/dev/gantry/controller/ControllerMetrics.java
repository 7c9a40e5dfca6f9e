package dev.gantry.controller;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/** The controller's metrics. */
final class ControllerMetrics {

    final PrometheusRegistry registry;
    final Gauge leader;
    final Counter statusWrites;
    final Counter statusUnchanged;
    final Histogram statusWriteSeconds;
    final Histogram reconcileSeconds;
    final Gauge queueDepth;
    final Gauge listenerSets;
    final Gauge listenerConflicts;
    final Gauge routesNotAccepted;
    final Counter events;
    final Counter credentialsIssued;
    final Gauge caExpiry;
    final Gauge proxyCredentialExpiry;
    final Gauge proxyCredentials;
    final Gauge certificatesInvalid;
    final Gauge certificatesInUse;
    final Gauge certificatesEarliestExpiry;

    ControllerMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        leader = Gauge.builder()
                .name("gantry_controller_leader")
                .help("1 while this replica holds the leader Lease")
                .register(registry);
        statusWrites = Counter.builder()
                .name("gantry_controller_status_writes")
                .help("Status writes by kind and result (ok, conflict, refused as invalid, error)")
                .labelNames("kind", "result")
                .register(registry);
        statusUnchanged = Counter.builder()
                .name("gantry_controller_status_unchanged")
                .help("Desired status that matched the object already, so nothing was written")
                .labelNames("kind")
                .register(registry);
        statusWriteSeconds = Histogram.builder()
                .name("gantry_controller_status_write_seconds")
                .help("Latency of one status write")
                .unit(Unit.SECONDS)
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
                .register(registry);
        reconcileSeconds = Histogram.builder()
                .name("gantry_controller_reconcile_seconds")
                .help("Time to translate one batch of changes and compute desired status")
                .unit(Unit.SECONDS)
                .classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .register(registry);
        queueDepth = Gauge.builder()
                .name("gantry_controller_status_queue_depth")
                .help("Objects waiting for a status write")
                .register(registry);
        listenerSets = Gauge.builder()
                .name("gantry_listenersets")
                .help("ListenerSets by state: attached, not_allowed, no_valid_listener, parent_not_accepted")
                .labelNames("state")
                .register(registry);
        listenerConflicts = Gauge.builder()
                .name("gantry_listener_conflicts")
                .help("Listeners that lost a conflict, by reason")
                .labelNames("reason")
                .register(registry);
        routesNotAccepted = Gauge.builder()
                .name("gantry_routes_not_accepted")
                .help("Route parent entries with Accepted=False, by reason")
                .labelNames("reason")
                .register(registry);
        events = Counter.builder()
                .name("gantry_controller_events")
                .help("Kubernetes Events emitted, by reason")
                .labelNames("reason")
                .register(registry);
        credentialsIssued = Counter.builder()
                .name("gantry_xds_credentials_issued")
                .help("Secrets of the xDS plane written, by kind (ca, serving, proxy) and reason (missing, unusable,"
                        + " expired, other_ca, other_gateway, names_changed, renewal, metadata)")
                .labelNames("kind", "reason")
                .register(registry);
        caExpiry = Gauge.builder()
                .name("gantry_xds_ca_expiry_timestamp_seconds")
                .help("When the CA of the xDS plane expires (Unix time)")
                .unit(Unit.SECONDS)
                .register(registry);
        proxyCredentialExpiry = Gauge.builder()
                .name("gantry_xds_proxy_credential_earliest_expiry_timestamp_seconds")
                .help("When the first of the current proxy credentials expires (Unix time); each is renewed at half its"
                        + " lifetime, so this stays well ahead of now")
                .unit(Unit.SECONDS)
                .register(registry);
        proxyCredentials = Gauge.builder()
                .name("gantry_xds_proxy_credentials")
                .help("Gateways with a current proxy credential")
                .register(registry);
        certificatesInvalid = Gauge.builder()
                .name("gantry_certificates_expired")
                .help("Certificates in use that are expired or not valid yet (still served), by use: listener (served),"
                        + " client_ca (validates HTTPS clients), backend_ca (validates BackendTLSPolicy backends)")
                .labelNames("use")
                .register(registry);
        certificatesInUse = Gauge.builder()
                .name("gantry_certificates_in_use")
                .help("Distinct certificates in use, by use: listener, client_ca, backend_ca")
                .labelNames("use")
                .register(registry);
        certificatesEarliestExpiry = Gauge.builder()
                .name("gantry_certificates_earliest_expiry_timestamp_seconds")
                .help("When the first of the certificates in use expires (Unix time; NaN when none is in use)")
                .unit(Unit.SECONDS)
                .register(registry);
    }
}
