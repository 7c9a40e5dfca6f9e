package dev.gantry.controller;

import dev.gantry.config.GantrySettings;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lease-based leader election (fabric8 {@code LeaderElector}). Checks at start that the Lease can be read,
 * created and updated, so a missing RBAC rule fails fast with a clear message instead of a silent follower.
 */
final class LeaderElection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    /** A permission the controller needs but does not have. */
    static final class MissingPermissionException extends IllegalStateException {
        MissingPermissionException(String verb, String namespace, String detail) {
            super("the controller cannot " + verb + " leases.coordination.k8s.io in namespace " + namespace
                    + " (missing RBAC permission '" + verb + "'): " + detail);
        }
    }

    private static final ZonedDateTime EPOCH = ZonedDateTime.ofInstant(Instant.EPOCH, ZoneOffset.UTC);

    private final KubernetesClient client;
    private final GantrySettings settings;
    private final Runnable onStart;
    private final Runnable onStop;
    private final AtomicBoolean leader = new AtomicBoolean();
    private final FencedLock lock;
    private CompletableFuture<?> running;

    /**
     * @param client the controller's client; election uses a copy without retries whose requests time out well
     *     within the renew deadline: the elector checks its deadline only between attempts, and a request stuck in
     *     retries would keep a cut-off leader believing it leads
     */
    LeaderElection(KubernetesClient client, GantrySettings settings, Runnable onStart, Runnable onStop) {
        int timeoutMillis = (int) Math.max(500, settings.renewDeadline().toMillis() / 2);
        this.client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(client.getConfiguration())
                        .withRequestRetryBackoffLimit(0)
                        .withRequestTimeout(timeoutMillis)
                        .withConnectionTimeout(timeoutMillis)
                        .build())
                .build();
        this.settings = settings;
        this.lock = new FencedLock(
                new LeaseLock(settings.namespace(), settings.leaseName(), settings.identity()), System::nanoTime);
        this.onStart = onStart;
        this.onStop = onStop;
    }

    /**
     * Whether this replica may write now: the elector made it leader and it renewed the Lease within the renew
     * deadline. The second part fences every write on the leadership actually held, also in the moments before a
     * cut-off elector notices it lost the Lease.
     */
    boolean isLeader() {
        return leader.get() && lock.renewedWithin(settings.renewDeadline());
    }

    /** Reads, creates if missing, and updates the Lease once; any 403 names the verb that is missing. */
    void checkPermissions() {
        String namespace = settings.namespace();
        var leases = client.leases().inNamespace(namespace).withName(settings.leaseName());
        Lease lease;
        try {
            lease = leases.get();
        } catch (KubernetesClientException e) {
            throw failure("get", namespace, e);
        }
        if (lease == null) {
            try {
                lease = client.leases()
                        .inNamespace(namespace)
                        .resource(new LeaseBuilder()
                                .withNewMetadata()
                                .withName(settings.leaseName())
                                .withNamespace(namespace)
                                .endMetadata()
                                // An expired, unheld record: the elector takes it over as it would a lease nobody
                                // renewed.
                                .withNewSpec()
                                .withHolderIdentity("")
                                .withLeaseDurationSeconds(
                                        (int) settings.leaseDuration().toSeconds())
                                .withAcquireTime(EPOCH)
                                .withRenewTime(EPOCH)
                                .withLeaseTransitions(0)
                                .endSpec()
                                .build())
                        .create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw failure("create", namespace, e);
                }
                lease = leases.get();
            }
        }
        if (lease == null) {
            return;
        }
        try {
            client.leases().inNamespace(namespace).resource(lease).update();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw failure("update", namespace, e);
            }
        }
    }

    private static RuntimeException failure(String verb, String namespace, KubernetesClientException e) {
        if (e.getCode() == 403 || e.getCode() == 401) {
            return new MissingPermissionException(
                    verb,
                    namespace,
                    e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage());
        }
        return new IllegalStateException(
                "cannot " + verb + " the leader Lease in namespace " + namespace + ": " + e.getMessage(), e);
    }

    void start() {
        var config = new LeaderElectionConfigBuilder()
                .withName("gantry-controller")
                .withLock(lock)
                .withLeaseDuration(settings.leaseDuration())
                .withRenewDeadline(settings.renewDeadline())
                .withRetryPeriod(settings.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(
                        this::started, this::stopped, identity -> LOG.info("leader is now {}", identity)))
                .build();
        running = client.leaderElector().withConfig(config).build().start();
    }

    private void started() {
        LOG.info("{} became the leader", settings.identity());
        leader.set(true);
        onStart.run();
    }

    private void stopped() {
        lock.forget();
        boolean was = leader.getAndSet(false);
        if (was) {
            LOG.warn("{} lost the lease: it stops writing now", settings.identity());
            onStop.run();
        }
    }

    @Override
    public void close() {
        leader.set(false);
        if (running != null) {
            running.cancel(true);
        }
        client.close();
    }
}
