package dev.gantry.controller;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.pki.CertificateAuthority;
import dev.gantry.pki.CredentialPlanner;
import dev.gantry.pki.CredentialSecrets;
import dev.gantry.pki.KeyedCertificate;
import dev.gantry.translate.GatewayTranslation;
import dev.gantry.view.Change;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the Secrets of the xDS plane (leader only): the CA, the shards' serving certificate, and one proxy
 * credential per Gateway of Gantry's classes, each issued when missing or unusable and renewed before it expires
 * ({@link CredentialPlanner} decides; this class reads the informers' copies and writes). Writes carry the
 * resourceVersion they replace, so a stale copy loses with a conflict and the next event brings the current one.
 * A deleted credential Secret is issued again with only the new certificate listed, which revokes the old ones.
 */
final class CredentialIssuer implements ControllerReconciler.LeaderTask, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CredentialIssuer.class);
    /** How soon a failed write is tried again when no event comes first. */
    private static final Duration RETRY = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final CredentialPlanner planner;
    private final Clock clock;
    private final EventRecorder events;
    private final ControllerMetrics metrics;
    private final Consumer<ObjectKey> revisit;
    private final Runnable wake;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "controller-credential-renewal");
        thread.setDaemon(true);
        return thread;
    });

    private record Due(Instant renewAt, Instant notAfter) {}

    // Reconciler thread only.
    /** When each Gateway's credential is due for renewal, and when it expires; read by the timer too. */
    private final Map<ObjectKey, Due> renewals = new ConcurrentHashMap<>();

    private final Set<String> conflictsReported = new HashSet<>();
    /** Gateways whose credential could not be written: visited again on the next run. */
    private final Set<ObjectKey> retry = new HashSet<>();

    private Instant servingRenewal;
    /** The serving Secret's resourceVersion when it was last found right. */
    private String servingVersion;

    private CertificateAuthority ca;
    private String caVersion;
    private ScheduledFuture<?> nextWake;
    private Instant nextWakeAt;

    /**
     * @param revisit asks the reconciler to run the leader tasks for a Gateway (its credential is due)
     * @param wake asks the reconciler to run the leader tasks (the serving certificate is due, or a write failed)
     */
    CredentialIssuer(
            KubernetesClient client,
            CredentialPlanner planner,
            Clock clock,
            EventRecorder events,
            ControllerMetrics metrics,
            Consumer<ObjectKey> revisit,
            Runnable wake) {
        this.client = client;
        this.planner = planner;
        this.clock = clock;
        this.events = events;
        this.metrics = metrics;
        this.revisit = revisit;
        this.wake = wake;
    }

    /** A credential Secret changed or went away: its Gateway's credential is looked at again. */
    @Override
    public void observe(Change change, Set<ObjectKey> revisitGateways) {
        if (!change.kind().equals(Kinds.SECRET)) {
            return;
        }
        for (HasMetadata version : new HasMetadata[] {change.previous(), change.current()}) {
            ObjectKey gateway = version == null ? null : CredentialSecrets.gatewayOf((Secret) version);
            if (gateway != null) {
                revisitGateways.add(gateway);
            }
        }
    }

    @Override
    public void run(ClusterStore store, Map<ObjectKey, GatewayTranslation> gateways, Set<ObjectKey> changed) {
        Instant now = clock.instant();
        CertificateAuthority authority = ensureCa(store, now);
        if (authority == null) {
            scheduleWake(now.plus(RETRY));
            return;
        }
        boolean caChanged = ca == null || !ca.certificate().equals(authority.certificate());
        ca = authority;
        ensureServing(store, authority, caChanged, now);
        // A new CA invalidates every credential: all are issued again.
        Set<ObjectKey> visit = caChanged ? new HashSet<>(gateways.keySet()) : new HashSet<>();
        visit.addAll(changed);
        visit.addAll(retry);
        retry.clear();
        for (ObjectKey key : visit) {
            Gateway gateway = store.get(Kinds.GATEWAY, key).orElse(null);
            try {
                if (gateway == null || gateways.get(key) == null) {
                    renewals.remove(key);
                    removeCredential(store, key);
                } else {
                    ensureCredential(store, gateway, authority, now);
                }
            } catch (KubernetesClientException e) {
                LOG.warn(
                        "the xDS credential of Gateway {} could not be written (tried again soon): {}",
                        key,
                        e.getMessage());
                retryLater(key, now);
            }
        }
        renewals.keySet().retainAll(gateways.keySet());
        metrics.proxyCredentials.set(renewals.size());
        renewals.values().stream()
                .map(Due::notAfter)
                .min(Instant::compareTo)
                .ifPresent(earliest -> metrics.proxyCredentialExpiry.set(earliest.getEpochSecond()));
        scheduleRenewals(now);
    }

    /** The CA of the CA Secret, created first if missing or unusable; null when it cannot be written now. */
    private CertificateAuthority ensureCa(ClusterStore store, Instant now) {
        ObjectKey key = planner.caSecretKey();
        Secret existing = store.get(Kinds.SECRET, key).orElse(null);
        String version = existing == null ? null : existing.getMetadata().getResourceVersion();
        if (ca != null && version != null && version.equals(caVersion)) {
            return ca;
        }
        CredentialPlanner.Plan<CertificateAuthority> plan = planner.ca(existing, now);
        if (plan.write() != null) {
            if (!write(plan.write(), existing != null)) {
                return null;
            }
            if (plan.reason() == CredentialPlanner.Reason.MISSING) {
                LOG.info("created the xDS CA in Secret {}", key);
            } else {
                LOG.warn(
                        "replaced the xDS CA in Secret {} ({}): every proxy credential and the shards' serving"
                                + " certificate are issued again from the new one",
                        key,
                        plan.why());
            }
            metrics.credentialsIssued.labelValues("ca", plan.reason().label()).inc();
            caVersion = null;
        } else {
            caVersion = version;
        }
        metrics.caExpiry.set(
                plan.value().certificate().getNotAfter().toInstant().getEpochSecond());
        return plan.value();
    }

    private void ensureServing(ClusterStore store, CertificateAuthority authority, boolean caChanged, Instant now) {
        ObjectKey key = planner.servingSecretKey();
        Secret existing = store.get(Kinds.SECRET, key).orElse(null);
        String version = existing == null ? null : existing.getMetadata().getResourceVersion();
        // Every batch runs the leader tasks: reading and checking the certificate again is for when something changed.
        if (!caChanged
                && version != null
                && version.equals(servingVersion)
                && servingRenewal != null
                && now.isBefore(servingRenewal)) {
            return;
        }
        servingVersion = null;
        CredentialPlanner.Plan<KeyedCertificate> plan = planner.serving(authority, existing, now);
        if (plan.write() != null) {
            try {
                if (!write(plan.write(), existing != null)) {
                    scheduleWake(now.plus(RETRY));
                    return;
                }
            } catch (KubernetesClientException e) {
                LOG.warn(
                        "the shards' serving certificate could not be written to Secret {} (tried again soon): {}",
                        key,
                        e.getMessage());
                scheduleWake(now.plus(RETRY));
                return;
            }
            metrics.credentialsIssued
                    .labelValues("serving", plan.reason().label())
                    .inc();
            LOG.info(
                    "issued the shards' serving certificate {} in Secret {} ({}), valid until {}",
                    plan.value().serial().toString(16),
                    key,
                    plan.why(),
                    plan.value().notAfter());
        }
        servingRenewal = planner.servingRenewAt(plan.value());
        // What was written comes back with a new resourceVersion: checked once more then, and kept from there on.
        servingVersion = plan.write() == null ? version : null;
    }

    private void ensureCredential(ClusterStore store, Gateway gateway, CertificateAuthority authority, Instant now) {
        ObjectKey key = ObjectKey.of(gateway);
        ObjectKey secretKey = CredentialSecrets.proxyCredentialKey(key);
        Secret existing = store.get(Kinds.SECRET, secretKey).orElse(null);
        if (existing != null && !CredentialSecrets.isLabelled(existing, CredentialSecrets.LABEL_PROXY)) {
            String report = gateway.getMetadata().getUid() + "/" + secretKey;
            if (conflictsReported.add(report)) {
                String message =
                        "Secret " + secretKey.name() + " exists but is not Gantry's; it is left alone, and this"
                                + " Gateway's proxies get no xDS credential until it is renamed or deleted";
                LOG.warn("Gateway {}: {}", key, message);
                events.warning(gateway, "CredentialConflict", message);
            }
            renewals.remove(key);
            return;
        }
        CredentialPlanner.Plan<KeyedCertificate> plan = planner.proxyCredential(authority, gateway, existing, now);
        if (plan.write() != null) {
            if (!write(plan.write(), existing != null)) {
                retryLater(key, now);
                return;
            }
            metrics.credentialsIssued
                    .labelValues("proxy", plan.reason().label())
                    .inc();
            LOG.info(
                    "{} the xDS credential {} of Gateway {} in Secret {} ({}), valid until {}",
                    plan.reason() == CredentialPlanner.Reason.METADATA ? "repaired" : "issued",
                    plan.value().serial().toString(16),
                    key,
                    secretKey,
                    plan.why(),
                    plan.value().notAfter());
        }
        renewals.put(
                key, new Due(planner.proxyRenewAt(plan.value()), plan.value().notAfter()));
    }

    /** Visits a Gateway again soon, whether or not an event comes first. */
    private void retryLater(ObjectKey gateway, Instant now) {
        retry.add(gateway);
        scheduleWake(now.plus(RETRY));
    }

    private void removeCredential(ClusterStore store, ObjectKey gateway) {
        ObjectKey secretKey = CredentialSecrets.proxyCredentialKey(gateway);
        Secret existing = store.get(Kinds.SECRET, secretKey).orElse(null);
        if (existing != null && gateway.equals(CredentialSecrets.gatewayOf(existing))) {
            client.resource(existing).delete();
            LOG.info("deleted the xDS credential of Gateway {} (gone, or no longer of Gantry's classes)", gateway);
        }
    }

    /** Creates or updates; false on a conflict (someone else wrote first: the next event brings their version). */
    private boolean write(Secret secret, boolean update) {
        try {
            if (update) {
                client.resource(secret).update();
            } else {
                client.resource(secret).create();
            }
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                LOG.debug(
                        "Secret {}/{} changed meanwhile; taken up on its next event",
                        secret.getMetadata().getNamespace(),
                        secret.getMetadata().getName());
                return false;
            }
            throw e;
        }
    }

    /** Wakes the reconciler for the earliest renewal due. */
    private void scheduleRenewals(Instant now) {
        Instant earliest = servingRenewal;
        for (Due due : renewals.values()) {
            if (earliest == null || due.renewAt().isBefore(earliest)) {
                earliest = due.renewAt();
            }
        }
        if (earliest != null) {
            scheduleWake(earliest.isBefore(now) ? now : earliest);
        }
    }

    private void scheduleWake(Instant at) {
        if (nextWake != null && !nextWake.isDone() && nextWakeAt != null && !at.isBefore(nextWakeAt)) {
            return;
        }
        if (nextWake != null) {
            nextWake.cancel(false);
        }
        nextWakeAt = at;
        long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis());
        nextWake = timer.schedule(this::due, delay, TimeUnit.MILLISECONDS);
    }

    /** On the timer: the Gateways whose credential is due are revisited; the serving certificate on any run. */
    private void due() {
        Instant now = clock.instant();
        renewals.forEach((gateway, due) -> {
            if (!due.renewAt().isAfter(now)) {
                revisit.accept(gateway);
            }
        });
        wake.run();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
