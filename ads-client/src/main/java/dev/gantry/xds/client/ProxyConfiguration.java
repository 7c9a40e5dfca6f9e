package dev.gantry.xds.client;

import static dev.gantry.xds.client.AdsClient.CLUSTER;
import static dev.gantry.xds.client.AdsClient.ENDPOINT;
import static dev.gantry.xds.client.AdsClient.LISTENER;
import static dev.gantry.xds.client.AdsClient.ROUTE;
import static dev.gantry.xds.client.AdsClient.SECRET;

import com.google.protobuf.Any;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the proxy holds, by type, and how it warms it as Envoy does: an EDS cluster warms until its endpoints arrive
 * (its CDS response is ACKed only then), a listener version until the route configurations and secrets it names
 * arrive (the version it replaces serving meanwhile), either at most for the initial fetch timeout. What it holds
 * decides what it subscribes to (listeners name route configurations and secrets, clusters name endpoints and
 * secrets), and after every response what serves is checked by a {@link MakeBeforeBreakCheck}. As Envoy's cluster
 * manager initializes before the listener manager, listeners are asked for only once the initial cluster fetch is
 * done: the first CDS response answered (ACKed once its clusters warmed, or NACKed), or the initial fetch timeout
 * passed without one.
 *
 * <p>The held resources and their versions may be read without a lock; everything else is guarded by the client's
 * lock, held by every caller ("caller locks") and taken by the initial fetch timeouts.
 */
final class ProxyConfiguration {

    /** Every type the client follows. */
    static final List<String> TYPES = List.of(CLUSTER, ENDPOINT, LISTENER, ROUTE, SECRET);

    /**
     * Envoy's default initial fetch timeout: how long a cluster waits for its endpoints, and a listener for the route
     * configurations and secrets it names, before it is used without them.
     */
    private static final Duration DEFAULT_INITIAL_FETCH_TIMEOUT = Duration.ofSeconds(15);

    private static final ScheduledExecutorService WARMING_TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "ads-client-warming");
        thread.setDaemon(true);
        return thread;
    });

    /** What the configuration asks of the stream it arrives on. */
    interface Subscriptions {
        /** The names of a type subscribed to, or none. */
        Set<String> subscribed(String type);

        /** Subscribes to exactly these names of a type, dropping what is no longer asked for (caller locks). */
        void subscribe(String type, Set<String> names);
    }

    /**
     * A listener version that does not serve yet. Like Envoy's listener init manager it waits for the RDS route
     * configurations and SDS secrets it names that were not held when it arrived: one already held is not waited for,
     * as Envoy shares one subscription per name and a subscription that has delivered is ready for every listener.
     *
     * @param listener the version received
     * @param awaitedRoutes route configuration names not arrived yet
     * @param awaitedSecrets secret names not arrived yet
     */
    private record WarmingListener(Any listener, Set<String> awaitedRoutes, Set<String> awaitedSecrets) {}

    private final Object lock;
    private final Subscriptions subscriptions;
    private final Map<String, Map<String, Any>> resources = new ConcurrentHashMap<>();
    /** By type, the version of the last response accepted. */
    private final Map<String, String> versions = new ConcurrentHashMap<>();
    /** Delta: by type and name, the version of each resource held. */
    private final Map<String, String> heldVersions = new ConcurrentHashMap<>();

    private volatile Duration initialFetchTimeout = DEFAULT_INITIAL_FETCH_TIMEOUT;

    private final Set<String> activeClusters = new HashSet<>();
    private final Set<String> warmingClusters = new HashSet<>();
    /** By name, the version of each listener that serves: only its references count towards the invariant. */
    private final Map<String, Any> activeListeners = new HashMap<>();
    /** By name, a version received after the one that serves (if any) and not serving yet. */
    private final Map<String, WarmingListener> warmingListeners = new HashMap<>();
    /** The ACK of a CDS response held until the clusters in {@link #pendingCold} warm, or null. */
    private Runnable pendingAck;

    private Set<String> pendingCold;
    private final MakeBeforeBreakCheck invariant = new MakeBeforeBreakCheck();

    /** When the cluster subscription started, for the initial fetch timeout of its first response; 0 until then. */
    private long clusterFetchStartedNanos;
    /** The initial fetch timeout of the first CDS response, while it is waited for. */
    private ScheduledFuture<?> clusterFetchTimeout;
    /** Whether a CDS response was received (applied or rejected) or the initial fetch timeout passed first. */
    private boolean clusterFetchEnded;
    /** Whether Envoy's cluster manager has initialized, after which the proxy subscribes to listeners. */
    private boolean clustersInitialized;

    /**
     * @param lock the client's lock, taken by the initial fetch timeouts
     * @param subscriptions the stream the configuration arrives on
     */
    ProxyConfiguration(Object lock, Subscriptions subscriptions) {
        this.lock = lock;
        this.subscriptions = subscriptions;
    }

    /**
     * Sets the initial fetch timeout for what starts warming from then on, and for the first CDS response if it is
     * still waited for (caller locks).
     */
    void initialFetchTimeout(Duration timeout) {
        this.initialFetchTimeout = timeout;
        if (clusterFetchTimeout != null) {
            clusterFetchTimeout.cancel(false);
            scheduleClusterFetchTimeout();
        }
    }

    /**
     * A stream subscribed to clusters (caller locks). As Envoy's server does, the listeners are subscribed to once the
     * cluster manager has initialized: at once on a new stream when it has, else when it does. The first such stream
     * starts the initial fetch timeout of the first CDS response.
     */
    void clustersSubscribed() {
        if (clustersInitialized) {
            subscriptions.subscribe(LISTENER, Set.of());
        } else if (clusterFetchStartedNanos == 0) {
            clusterFetchStartedNanos = System.nanoTime();
            scheduleClusterFetchTimeout();
        } else {
            initializeClustersIfDone();
        }
    }

    /**
     * A CDS response was rejected (caller locks): when it is the first, the cluster manager initializes without it, as
     * Envoy's does rather than keep the server from starting.
     */
    void clusterResponseRejected() {
        endClusterFetch();
        initializeClustersIfDone();
    }

    private void scheduleClusterFetchTimeout() {
        long remainingNanos = clusterFetchStartedNanos + initialFetchTimeout.toNanos() - System.nanoTime();
        clusterFetchTimeout =
                WARMING_TIMER.schedule(this::clusterFetchTimedOut, Math.max(0, remainingNanos), TimeUnit.NANOSECONDS);
    }

    /** Envoy's initial fetch timeout: without a CDS response, the cluster manager initializes without one. */
    private void clusterFetchTimedOut() {
        synchronized (lock) {
            if (clusterFetchEnded) {
                return;
            }
            endClusterFetch();
            initializeClustersIfDone();
        }
    }

    private void endClusterFetch() {
        clusterFetchEnded = true;
        if (clusterFetchTimeout != null) {
            clusterFetchTimeout.cancel(false);
            clusterFetchTimeout = null;
        }
    }

    /**
     * Once the initial cluster fetch has ended and no CDS response waits for its clusters to warm (Envoy's secondary
     * initialization of the clusters it brought), the cluster manager has initialized and the listeners are subscribed
     * to (caller locks).
     */
    private void initializeClustersIfDone() {
        if (!clustersInitialized && clusterFetchEnded && pendingAck == null) {
            clustersInitialized = true;
            subscriptions.subscribe(LISTENER, Set.of());
        }
    }

    /**
     * The names of a type held as a response of the type arrives. From then on the type counts as received, even by
     * an empty response: a client that has had a listener response follows the secrets its clusters name.
     */
    Set<String> namesOnReceipt(String type) {
        return resources.computeIfAbsent(type, k -> new ConcurrentHashMap<>()).keySet();
    }

    /** Records the version of the last response of a type accepted. */
    void accepted(String type, String version) {
        versions.put(type, version);
    }

    /** Delta: records the version of a resource held. */
    void holdVersion(String type, String name, String version) {
        heldVersions.put(type + "\u0000" + name, version);
    }

    /** Delta: by name, the version of each resource of a type held that has one, for a new stream to announce. */
    Map<String, String> heldVersions(String type) {
        Map<String, String> held = new LinkedHashMap<>();
        for (String name : resources.getOrDefault(type, Map.of()).keySet()) {
            String version = heldVersions.getOrDefault(type + "\u0000" + name, "");
            if (!version.isEmpty()) {
                held.put(name, version);
            }
        }
        return held;
    }

    /**
     * Holds a resource as received, keeping the count of what held route configurations name; a listener starts
     * warming, and counts only once it serves (caller locks).
     */
    void hold(String type, String name, Any any) {
        Any before =
                resources.computeIfAbsent(type, k -> new ConcurrentHashMap<>()).put(name, any);
        if (type.equals(LISTENER)) {
            listenerReceived(name, any);
        } else if (before != any) {
            invariant.count(References.of(type, any), 1);
            if (before != null) {
                invariant.count(References.of(type, before), -1);
            }
        }
    }

    /** Drops a held resource (caller locks). */
    void drop(String type, String name) {
        Map<String, Any> held = resources.get(type);
        Any before = held == null ? null : held.remove(name);
        if (before != null && !type.equals(LISTENER)) {
            // A listener counts through the version that serves, uncounted below.
            invariant.count(References.of(type, before), -1);
        }
        heldVersions.remove(type + "\u0000" + name);
        if (type.equals(CLUSTER)) {
            activeClusters.remove(name);
            warmingClusters.remove(name);
        } else if (type.equals(LISTENER)) {
            // Envoy stops a removed listener whether it serves or warms.
            warmingListeners.remove(name);
            Any serving = activeListeners.remove(name);
            if (serving != null) {
                invariant.count(References.of(LISTENER, serving), -1);
            }
        }
    }

    /**
     * After a response was applied, as Envoy goes on: new EDS clusters warm until their endpoints arrive, and the CDS
     * response is ACKed only then (an updated cluster keeps serving meanwhile, and one whose endpoints are held warms
     * from them at once); subscriptions follow what listeners and clusters name; listeners whose route configurations
     * and secrets have arrived start serving; then the invariant is checked. Caller locks.
     *
     * @param updated names the response added or replaced
     * @param ack sends the response's ACK
     */
    void applied(String type, List<String> updated, Runnable ack) {
        boolean ackNow = true;
        if (type.equals(CLUSTER)) {
            Set<String> cold = new LinkedHashSet<>();
            for (String name : updated) {
                boolean eds = References.isEdsCluster(resources.get(CLUSTER).get(name));
                if (!eds || resources.getOrDefault(ENDPOINT, Map.of()).containsKey(name)) {
                    activeClusters.add(name);
                    warmingClusters.remove(name);
                } else {
                    warmingClusters.add(name);
                    cold.add(name);
                }
            }
            if (!cold.isEmpty()) {
                ackNow = false;
                Runnable held = ack;
                pendingAck = held;
                pendingCold = cold;
                WARMING_TIMER.schedule(
                        () -> clusterWarmingTimedOut(held), initialFetchTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } else if (type.equals(ENDPOINT)) {
            for (String name : updated) {
                if (warmingClusters.remove(name)) {
                    activeClusters.add(name);
                }
                if (pendingCold != null) {
                    pendingCold.remove(name);
                }
            }
        }
        followReferences(type);
        if (ackNow) {
            ack.run();
        }
        if (pendingAck != null && pendingCold.isEmpty()) {
            Runnable held = pendingAck;
            pendingAck = null;
            pendingCold = null;
            held.run();
        }
        if (type.equals(CLUSTER)) {
            endClusterFetch();
        }
        initializeClustersIfDone();
        // After the ACK, as Envoy lets go of what an old listener version named only once the new one replaced it.
        activateWarmedListeners();
        checkInvariant("a " + type.substring(type.lastIndexOf('.') + 1) + " response");
    }

    /** Forgets a CDS response's held ACK: an ACK belongs to its stream, and a new one starts from what is held. */
    void forgetPendingAck() {
        pendingAck = null;
        pendingCold = null;
    }

    /** Envoy's initial fetch timeout: a cluster whose endpoints never came is used without them. */
    private void clusterWarmingTimedOut(Runnable held) {
        synchronized (lock) {
            if (pendingAck != held) {
                return;
            }
            for (String name : pendingCold) {
                if (warmingClusters.remove(name)) {
                    activeClusters.add(name);
                }
            }
            pendingAck = null;
            pendingCold = null;
            held.run();
            initializeClustersIfDone();
        }
    }

    /**
     * A listener version arrived: as Envoy does, it warms unless it is the version already serving or warming, and
     * the version that serves (if any) goes on serving meanwhile (caller locks).
     */
    private void listenerReceived(String name, Any listener) {
        WarmingListener pending = warmingListeners.get(name);
        if (pending != null && pending.listener().equals(listener)) {
            return;
        }
        if (listener.equals(activeListeners.get(name))) {
            // Back to the version that serves: Envoy drops the one warming instead of warming this one again.
            warmingListeners.remove(name);
            return;
        }
        References references = References.of(LISTENER, listener);
        Map<String, Any> routes = resources.getOrDefault(ROUTE, Map.of());
        Map<String, Any> secrets = resources.getOrDefault(SECRET, Map.of());
        Set<String> awaitedRoutes = new HashSet<>();
        references.routes().stream().filter(route -> !routes.containsKey(route)).forEach(awaitedRoutes::add);
        Set<String> awaitedSecrets = new HashSet<>();
        references.secrets().stream()
                .filter(secret -> !secrets.containsKey(secret))
                .forEach(awaitedSecrets::add);
        WarmingListener warming = new WarmingListener(listener, awaitedRoutes, awaitedSecrets);
        warmingListeners.put(name, warming);
        WARMING_TIMER.schedule(
                () -> listenerWarmingTimedOut(name, warming), initialFetchTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The warming version of a listener starts serving in place of the one that served, if any (caller locks). */
    private void activateListener(String name) {
        Any warmed = warmingListeners.remove(name).listener();
        Any before = activeListeners.put(name, warmed);
        invariant.count(References.of(LISTENER, warmed), 1);
        if (before != null) {
            invariant.count(References.of(LISTENER, before), -1);
        }
    }

    /**
     * Warming listeners whose awaited route configurations and secrets have all arrived start serving; then, as Envoy
     * lets go of what only the versions they replaced named, subscriptions follow (caller locks).
     */
    private void activateWarmedListeners() {
        if (warmingListeners.isEmpty()) {
            return;
        }
        Map<String, Any> routes = resources.getOrDefault(ROUTE, Map.of());
        Map<String, Any> secrets = resources.getOrDefault(SECRET, Map.of());
        List<String> warmed = new ArrayList<>();
        for (var warming : warmingListeners.entrySet()) {
            // What arrived once stays satisfied, as Envoy's subscription stays ready once it has delivered.
            warming.getValue().awaitedRoutes().removeIf(routes::containsKey);
            warming.getValue().awaitedSecrets().removeIf(secrets::containsKey);
            if (warming.getValue().awaitedRoutes().isEmpty()
                    && warming.getValue().awaitedSecrets().isEmpty()) {
                warmed.add(warming.getKey());
            }
        }
        warmed.forEach(this::activateListener);
        if (!warmed.isEmpty()) {
            followReferences(LISTENER);
        }
    }

    /**
     * Envoy's initial fetch timeout: a listener whose route configurations or secrets never came serves without
     * them, and requests it takes fail from then on.
     */
    private void listenerWarmingTimedOut(String name, WarmingListener timedOut) {
        synchronized (lock) {
            if (warmingListeners.get(name) != timedOut) {
                return;
            }
            activateListener(name);
            followReferences(LISTENER);
            checkInvariant("the initial fetch timeout of listener " + name);
        }
    }

    /** Checks the invariant of {@link MakeBeforeBreakCheck} (caller locks). */
    private void checkInvariant(String after) {
        invariant.check(
                after,
                this::warm,
                activeClusters,
                warmingClusters,
                resources.getOrDefault(SECRET, Map.of()).keySet());
    }

    /** See {@link AdsClient#makeBeforeBreakViolations()}; safe without the lock. */
    long makeBeforeBreakViolations() {
        return invariant.violations();
    }

    /** What the first violations were (caller locks). */
    List<String> violationSamples() {
        return invariant.samples();
    }

    /**
     * Like Envoy: listeners name route configurations and secrets; clusters name endpoints and secrets. Both the
     * version of a listener that serves and the one warming keep their subscriptions: the one warming is how Envoy
     * learns what to fetch, the one serving still needs what it has. Caller locks.
     */
    private void followReferences(String type) {
        if (type.equals(LISTENER)) {
            Set<String> routes = new LinkedHashSet<>();
            Set<String> secrets = new LinkedHashSet<>(clusterSecretNames());
            List<Any> versions = new ArrayList<>(activeListeners.values());
            warmingListeners.values().forEach(warming -> versions.add(warming.listener()));
            for (Any listener : versions) {
                References references = References.of(LISTENER, listener);
                routes.addAll(references.routes());
                secrets.addAll(references.secrets());
            }
            subscriptions.subscribe(ROUTE, routes);
            subscriptions.subscribe(SECRET, secrets);
        } else if (type.equals(CLUSTER)) {
            Set<String> endpoints = new LinkedHashSet<>();
            for (Any any : resources.getOrDefault(CLUSTER, Map.of()).values()) {
                Cluster cluster = unpack(any, Cluster.class);
                if (cluster.getType() == Cluster.DiscoveryType.EDS) {
                    endpoints.add(cluster.getName());
                }
            }
            subscriptions.subscribe(ENDPOINT, endpoints);
            Set<String> secrets = new LinkedHashSet<>(subscriptions.subscribed(SECRET));
            secrets.addAll(clusterSecretNames());
            if (resources.containsKey(LISTENER)) {
                subscriptions.subscribe(SECRET, secrets);
            }
        }
    }

    /** The validation context secrets the held clusters' upstream TLS names. */
    private Set<String> clusterSecretNames() {
        Set<String> names = new LinkedHashSet<>();
        for (Any any : resources.getOrDefault(CLUSTER, Map.of()).values()) {
            Cluster cluster = unpack(any, Cluster.class);
            if (cluster.hasTransportSocket()
                    && cluster.getTransportSocket().getTypedConfig().is(UpstreamTlsContext.class)) {
                UpstreamTlsContext tls =
                        unpack(cluster.getTransportSocket().getTypedConfig(), UpstreamTlsContext.class);
                if (tls.getCommonTlsContext().hasCombinedValidationContext()) {
                    names.add(tls.getCommonTlsContext()
                            .getCombinedValidationContext()
                            .getValidationContextSdsSecretConfig()
                            .getName());
                }
            }
        }
        return names;
    }

    /**
     * Whether the proxy holds a complete configuration, as Envoy's initialization waits for one: listeners and
     * clusters have arrived, and every route configuration, endpoint assignment and secret they name is held (caller
     * locks).
     */
    boolean warm() {
        if (!versions.containsKey(LISTENER) || !versions.containsKey(CLUSTER)) {
            return false;
        }
        for (String type : List.of(ROUTE, ENDPOINT, SECRET)) {
            Map<String, Any> held = resources.getOrDefault(type, Map.of());
            for (String name : subscriptions.subscribed(type)) {
                if (!held.containsKey(name)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether a cluster is held and warm (caller locks). */
    boolean clusterWarm(String name) {
        return activeClusters.contains(name);
    }

    /** Whether the latest version received of a listener serves (caller locks). */
    boolean listenerWarm(String name) {
        return activeListeners.containsKey(name) && !warmingListeners.containsKey(name);
    }

    /** The version of a listener that serves, or null (caller locks). */
    Any activeListener(String name) {
        return activeListeners.get(name);
    }

    /** Resource names held, by type. */
    Map<String, Set<String>> names() {
        Map<String, Set<String>> names = new HashMap<>();
        for (String type : TYPES) {
            names.put(type, new TreeSet<>(resources.getOrDefault(type, Map.of()).keySet()));
        }
        return names;
    }

    /** Names of the resources of one type held. */
    Set<String> names(String type) {
        return Set.copyOf(resources.getOrDefault(type, Map.of()).keySet());
    }

    /** Total resources held. */
    int resourceCount() {
        return resources.values().stream().mapToInt(Map::size).sum();
    }

    /** A held resource as received, or null. */
    Any held(String type, String name) {
        return resources.getOrDefault(type, Map.of()).get(name);
    }

    /** The version of the last response of a type accepted, or null. */
    String version(String type) {
        return versions.get(type);
    }

    /**
     * The name of a resource. Every type served here (Listener, Cluster, RouteConfiguration,
     * ClusterLoadAssignment, Secret) keeps its name in field 1, so it is read without parsing the rest.
     */
    static String nameOf(String type, Any any) {
        if (!TYPES.contains(type)) {
            return any.getTypeUrl();
        }
        try {
            CodedInputStream input = any.getValue().newCodedInput();
            while (true) {
                int tag = input.readTag();
                if (tag == 0) {
                    return "";
                }
                if (tag == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    return input.readStringRequireUtf8();
                }
                if (!input.skipField(tag)) {
                    return "";
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("malformed " + type + " from the server", e);
        }
    }

    static <T extends Message> T unpack(Any any, Class<T> type) {
        try {
            return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("malformed " + type.getSimpleName() + " from the server", e);
        }
    }
}
