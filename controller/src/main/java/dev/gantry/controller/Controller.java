package dev.gantry.controller;

import dev.gantry.config.GantrySettings;
import dev.gantry.kube.InformerFeed;
import dev.gantry.model.Kinds;
import dev.gantry.pki.CredentialPlanner;
import dev.gantry.runtime.AdminServer;
import dev.gantry.runtime.Readiness;
import dev.gantry.runtime.Ticker;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.translate.GatewayApiTranslator;
import dev.gantry.translate.StatusKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller: every replica watches and computes desired status; the one holding the Lease writes it,
 * keeps the default GatewayClass and provisions proxies. Losing the Lease stops writing at once and calls
 * {@code onLeadershipLost} (in a pod: exit, so it restarts clean).
 */
public final class Controller implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);

    private final GantrySettings settings;
    private final ControllerMetrics metrics;
    private final LeaderElection election;
    private final InformerFeed feed;
    private final ControllerReconciler reconciler;
    private final StatusWriter writer;
    private final String bindHost;
    private final int adminPortSetting;
    private final List<ControllerReconciler.LeaderTask> leaderTasks = new ArrayList<>();
    private final ProxyProvisioner provisioner;
    private final CredentialIssuer issuer;
    private final CertificateExpiry expiry;
    private AdminServer admin;
    private Thread thread;

    /**
     * @param settings controller settings
     * @param client API client; its user agent identifies this replica in audit logs
     * @param bindHost address of the admin server
     * @param adminPort admin port (0 for any free one, -1 for none)
     * @param onLeadershipLost called once after this replica loses the Lease
     * @param registry where the controller's metrics are registered
     */
    public Controller(
            GantrySettings settings,
            KubernetesClient client,
            String bindHost,
            int adminPort,
            Runnable onLeadershipLost,
            PrometheusRegistry registry) {
        this(settings, client, bindHost, adminPort, onLeadershipLost, registry, Clock.systemUTC());
    }

    /**
     * @param clock what the controller takes for now: status timestamps, Events, certificate renewal and expiry
     */
    public Controller(
            GantrySettings settings,
            KubernetesClient client,
            String bindHost,
            int adminPort,
            Runnable onLeadershipLost,
            PrometheusRegistry registry,
            Clock clock) {
        this.settings = settings;
        this.metrics = new ControllerMetrics(registry);
        this.bindHost = bindHost;
        this.adminPortSetting = adminPort;
        GatewayApiTranslator translator = new GatewayApiTranslator(settings.translatorConfig());
        ControllerReconciler[] self = new ControllerReconciler[1];
        this.election = new LeaderElection(
                client,
                settings,
                () -> {
                    metrics.leader.set(1);
                    self[0].leading();
                },
                () -> {
                    metrics.leader.set(0);
                    onLeadershipLost.run();
                });
        this.writer = new StatusWriter(
                client,
                settings.controllerName(),
                new RateLimiter(settings.statusQps(), settings.statusBurst()),
                clock,
                metrics,
                election::isLeader,
                key -> self[0].cached(key),
                4);
        EventRecorder events = new EventRecorder(client, settings.identity(), clock, election::isLeader, metrics);
        GatewayClassManager classes = new GatewayClassManager(client, settings, translator, events);
        leaderTasks.add((store, gateways, changed) -> classes.reconcile(store));
        if (settings.xdsInsecure()) {
            this.issuer = null;
            LOG.warn(
                    "GANTRY_XDS_INSECURE=true: no xDS credentials are issued and proxies are set up to connect in"
                            + " PLAINTEXT; anyone who reaches the shards can read every Gateway's configuration and private keys");
        } else {
            this.issuer = new CredentialIssuer(
                    client,
                    CredentialPlanner.from(settings),
                    clock,
                    events,
                    metrics,
                    key -> self[0].dirty(key),
                    () -> self[0].wake());
            leaderTasks.add(issuer);
        }
        this.expiry = new CertificateExpiry(clock, events, metrics, () -> self[0].wake());
        leaderTasks.add(expiry);
        this.provisioner = settings.provisionProxies() ? new ProxyProvisioner(client, settings, events) : null;
        if (provisioner != null) {
            leaderTasks.add(provisioner);
        }
        this.reconciler = new ControllerReconciler(
                translator,
                writer,
                events,
                metrics,
                election::isLeader,
                leaderTasks,
                settings.debounce(),
                settings.debounceMax(),
                Ticker.SYSTEM);
        self[0] = reconciler;
        this.feed = new InformerFeed(client, Kinds.ALL, reconciler::offer);
    }

    /**
     * Checks Lease permissions (failing fast with the missing verb), then starts watching, computing status and
     * competing for the Lease.
     */
    public Controller start() {
        election.checkPermissions();
        if (adminPortSetting >= 0) {
            admin = new AdminServer(bindHost, adminPortSetting, metrics.registry, this::readiness).start();
        }
        writer.start();
        thread = new Thread(reconciler, "controller-reconciler");
        thread.setDaemon(true);
        thread.start();
        feed.synced().whenComplete((took, error) -> {
            if (error == null) {
                reconciler.informersSynced(took, feed.cachedObjects());
            } else {
                LOG.error("controller informers failed to start", error);
            }
        });
        feed.start();
        if (provisioner != null) {
            provisioner.watchProvisioned(reconciler::dirty);
        }
        election.start();
        LOG.info(
                "controller {} started{}",
                settings.identity(),
                admin == null ? "" : "; admin on " + bindHost + ":" + admin.port());
        return this;
    }

    public boolean isLeader() {
        return election.isLeader();
    }

    public Readiness readiness() {
        return reconciler.synced()
                ? Readiness.ready(election.isLeader() ? "leader" : "follower")
                : Readiness.notReady("informers are still listing");
    }

    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    /** Informer events the controller has not taken up yet (its own status writes coming back, say). */
    public int pendingEvents() {
        return reconciler.pendingWork();
    }

    /** Objects still waiting for a status write. */
    public int pendingStatusWrites() {
        return writer.pending();
    }

    /** Desired status of one object, as computed (for tests and debugging). */
    public ObjectStatusIr desiredStatus(StatusKey key) {
        return writer.desiredOf(key);
    }

    @Override
    public void close() {
        election.close();
        feed.close();
        if (provisioner != null) {
            provisioner.close();
        }
        if (issuer != null) {
            issuer.close();
        }
        expiry.close();
        reconciler.stop();
        writer.close();
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (admin != null) {
            admin.close();
        }
    }
}
