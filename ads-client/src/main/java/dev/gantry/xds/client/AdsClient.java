package dev.gantry.xds.client;

import com.google.protobuf.Any;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * An ADS client that behaves like Envoy: subscribes to listeners and clusters, follows them to route
 * configurations, endpoints and secrets, ACKs every response (or NACKs those a predicate rejects), over the
 * state-of-the-world or the delta protocol. It keeps what it was sent, like a proxy keeps its config, and, as Envoy
 * does, warms what it was sent before using it: an EDS cluster until its endpoints arrive, a listener version until
 * the route configurations and secrets it names arrive (the version it replaces serving meanwhile), either at most
 * for the initial fetch timeout.
 */
public final class AdsClient implements AutoCloseable {

    public static final String LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener";
    public static final String CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    public static final String ROUTE = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
    public static final String ENDPOINT = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    public static final String SECRET = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
    private static final List<String> TYPES = List.of(CLUSTER, ENDPOINT, LISTENER, ROUTE, SECRET);
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

    /** The xDS variant a client speaks. */
    public enum Protocol {
        STATE_OF_THE_WORLD,
        DELTA
    }

    /** How a client reaches a shard. */
    public sealed interface Transport {
        /** No TLS: only a shard run with the unsafe opt-out answers it. */
        record Plaintext() implements Transport {}

        /**
         * TLS, as provisioned proxies connect.
         *
         * @param credentials asked at every (re)connect, so a renewed credential serves the next connection
         * @param authority the name the shard's certificate must be valid for, or null for the host connected to
         */
        record Tls(Supplier<ClientCredentials> credentials, String authority) implements Transport {}

        static Transport plaintext() {
            return new Plaintext();
        }
    }

    /**
     * One response as received.
     *
     * @param typeUrl resource type
     * @param version version_info (SotW) or system_version_info (delta)
     * @param resourceNames names of resources added or replaced by the response
     * @param removed names removed (delta)
     * @param bytes serialized size
     * @param receivedNanos System.nanoTime() at receipt
     */
    public record Received(
            String typeUrl,
            String version,
            List<String> resourceNames,
            List<String> removed,
            int bytes,
            long receivedNanos) {}

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

    private final Connection connection;
    private final Node node;
    private final Protocol protocol;
    private final BiPredicate<String, List<Any>> reject;
    private final UnaryOperator<Any> intern;
    private final Map<String, Map<String, Any>> resources = new ConcurrentHashMap<>();
    private final Map<String, String> versions = new ConcurrentHashMap<>();
    private final Map<String, String> heldVersions = new ConcurrentHashMap<>();
    /** State of the world: the nonce of the last response of each type, sent with every request of that type. */
    private final Map<String, String> nonces = new ConcurrentHashMap<>();

    private final Map<String, Set<String>> subscribed = new HashMap<>();
    private final List<Consumer<Received>> responseObservers = new CopyOnWriteArrayList<>();
    private volatile boolean silent;
    private final AtomicLong responses = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong nacks = new AtomicLong();
    private volatile Duration initialFetchTimeout = DEFAULT_INITIAL_FETCH_TIMEOUT;
    // Envoy's view of clusters and listeners, and what serving listeners and held routes name, guarded by this.
    private final Set<String> activeClusters = new HashSet<>();
    private final Set<String> warmingClusters = new HashSet<>();
    /** By name, the version of each listener that serves: only its references count towards the invariant. */
    private final Map<String, Any> activeListeners = new HashMap<>();
    /** By name, a version received after the one that serves (if any) and not serving yet. */
    private final Map<String, WarmingListener> warmingListeners = new HashMap<>();

    private final MakeBeforeBreakCheck invariant = new MakeBeforeBreakCheck();
    private Runnable pendingAck;
    private Set<String> pendingCold;
    private StreamObserver<DiscoveryRequest> sotw;
    private StreamObserver<DeltaDiscoveryRequest> delta;

    private AdsClient(
            String host,
            int port,
            Transport transport,
            Node node,
            Protocol protocol,
            BiPredicate<String, List<Any>> reject,
            UnaryOperator<Any> intern) {
        this.connection = new Connection(host, port, transport, this::reconnect);
        this.node = node;
        this.protocol = protocol;
        this.reject = reject;
        this.intern = intern;
    }

    /** Connects with node metadata naming the proxy's Gateway; every response is accepted. */
    public static AdsClient connect(String host, int port, String nodeId, String gateway, Protocol protocol) {
        return connect(host, port, nodeId, gateway, protocol, (type, list) -> false);
    }

    /**
     * Connects and starts subscribing.
     *
     * @param gateway {@code namespace/name} for the {@code gantry.dev/gateway} node metadata, or null for none
     * @param reject returns true for a response (type, resources) the client should NACK
     */
    public static AdsClient connect(
            String host,
            int port,
            String nodeId,
            String gateway,
            Protocol protocol,
            BiPredicate<String, List<Any>> reject) {
        return connect(host, port, nodeId, gateway, protocol, reject, UnaryOperator.identity());
    }

    /**
     * Connects and starts subscribing, holding every received resource through {@code intern}: a fleet of
     * simulated proxies can share one copy of equal resources instead of holding one per proxy.
     *
     * @param intern returns the resource to hold (the given one, or an equal one already held elsewhere)
     */
    public static AdsClient connect(
            String host,
            int port,
            String nodeId,
            String gateway,
            Protocol protocol,
            BiPredicate<String, List<Any>> reject,
            UnaryOperator<Any> intern) {
        return connect(host, port, Transport.plaintext(), nodeId, gateway, protocol, reject, intern);
    }

    /** Connects over TLS with a proxy's credentials; every response is accepted. */
    public static AdsClient connect(
            String host, int port, Transport transport, String nodeId, String gateway, Protocol protocol) {
        return connect(
                host, port, transport, nodeId, gateway, protocol, (type, list) -> false, UnaryOperator.identity());
    }

    /**
     * Connects and starts subscribing.
     *
     * @param transport plaintext, or TLS with the proxy's credentials
     */
    public static AdsClient connect(
            String host,
            int port,
            Transport transport,
            String nodeId,
            String gateway,
            Protocol protocol,
            BiPredicate<String, List<Any>> reject,
            UnaryOperator<Any> intern) {
        Struct.Builder metadata = Struct.newBuilder();
        if (gateway != null) {
            metadata.putFields(
                    "gantry.dev/gateway",
                    Value.newBuilder().setStringValue(gateway).build());
        }
        Node node = Node.newBuilder()
                .setId(nodeId)
                .setCluster("gantry-test")
                .setMetadata(metadata)
                .build();
        AdsClient client = new AdsClient(host, port, transport, node, protocol, reject, intern);
        client.start();
        return client;
    }

    /**
     * From now on, apply responses but never answer them, neither ACK nor NACK: a proxy hung between reading and
     * acknowledging, as a server must expect some to be. It sends no request at all, subscription changes included.
     */
    public AdsClient stopAnswering() {
        this.silent = true;
        return this;
    }

    /**
     * Like Envoy, reconnect when the stream ends (after a short back-off), keep everything held, and re-send every
     * subscription with the version held.
     */
    public AdsClient autoReconnect(boolean enabled) {
        connection.autoReconnect(enabled);
        return this;
    }

    public long reconnects() {
        return connection.reconnects();
    }

    /**
     * Sets Envoy's initial fetch timeout (15 s unless set) for what starts warming from then on, so a test can see a
     * cluster or listener used without what it waited for without waiting 15 s.
     */
    AdsClient initialFetchTimeout(Duration timeout) {
        this.initialFetchTimeout = timeout;
        return this;
    }

    /** Opens a new stream, re-sending every subscription with the versions held. */
    public synchronized void reconnect() {
        connection.renew();
        pendingAck = null; // an ACK belongs to its stream; the new stream starts from what is held
        pendingCold = null;
        nonces.clear();
        Map<String, Set<String>> previous = new HashMap<>(subscribed);
        subscribed.clear();
        start();
        for (String type : List.of(ENDPOINT, ROUTE, SECRET)) {
            if (previous.containsKey(type)) {
                subscribe(type, previous.get(type));
            }
        }
    }

    private void start() {
        var stub = connection.stub();
        synchronized (this) {
            if (protocol == Protocol.STATE_OF_THE_WORLD) {
                sotw = stub.streamAggregatedResources(new StreamObserver<>() {
                    @Override
                    public void onNext(DiscoveryResponse response) {
                        onSotwResponse(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        connection.streamEnded(Status.fromThrowable(error));
                    }

                    @Override
                    public void onCompleted() {
                        connection.streamEnded(Status.OK);
                    }
                });
                subscribe(CLUSTER, Set.of());
                subscribe(LISTENER, Set.of());
            } else {
                delta = stub.deltaAggregatedResources(new StreamObserver<>() {
                    @Override
                    public void onNext(DeltaDiscoveryResponse response) {
                        onDeltaResponse(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        connection.streamEnded(Status.fromThrowable(error));
                    }

                    @Override
                    public void onCompleted() {
                        connection.streamEnded(Status.OK);
                    }
                });
                subscribe(CLUSTER, Set.of());
                subscribe(LISTENER, Set.of());
            }
        }
    }

    /**
     * Asks for resources of a type by name beyond those it follows by itself, as a curious or hostile proxy would.
     * The next configuration change puts its subscriptions back to what it follows.
     */
    public synchronized void requestAlso(String type, Set<String> names) {
        Set<String> all = new TreeSet<>(subscribed.getOrDefault(type, Set.of()));
        all.addAll(names);
        subscribe(type, all);
    }

    /** Called for every response, on the gRPC thread, after the client's state was updated. */
    public AdsClient onResponse(Consumer<Received> observer) {
        responseObservers.add(observer);
        return this;
    }

    private synchronized void subscribe(String type, Set<String> names) {
        if (silent) {
            return;
        }
        Set<String> before = subscribed.get(type);
        if (before != null && before.equals(names)) {
            return;
        }
        subscribed.put(type, new TreeSet<>(names));
        if (protocol == Protocol.STATE_OF_THE_WORLD) {
            // Like Envoy, what a proxy stops asking for it drops.
            if (before != null) {
                for (String name : before) {
                    if (!names.contains(name)) {
                        drop(type, name);
                    }
                }
            }
            // Like Envoy, with the nonce of the last response of the type: a server ignores a request with a stale one.
            sotw.onNext(DiscoveryRequest.newBuilder()
                    .setNode(node)
                    .setTypeUrl(type)
                    .setVersionInfo(versions.getOrDefault(type, ""))
                    .setResponseNonce(nonces.getOrDefault(type, ""))
                    .addAllResourceNames(new TreeSet<>(names))
                    .build());
        } else {
            DeltaDiscoveryRequest.Builder request =
                    DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type);
            if (before == null) {
                // A new stream tells the server what is held, so it sends only what changed.
                for (var held : resources.getOrDefault(type, Map.of()).entrySet()) {
                    String version = heldVersions.getOrDefault(type + "\u0000" + held.getKey(), "");
                    if (!version.isEmpty()) {
                        request.putInitialResourceVersions(held.getKey(), version);
                    }
                }
            }
            Set<String> old = before == null ? Set.of() : before;
            for (String name : names) {
                if (!old.contains(name)) {
                    request.addResourceNamesSubscribe(name);
                }
            }
            for (String name : old) {
                if (!names.contains(name)) {
                    request.addResourceNamesUnsubscribe(name);
                    // Like Envoy, a client drops what it unsubscribes from: the server stops tracking it and may well
                    // never say it was removed (a removal it had on its way is dropped when this request arrives
                    // first).
                    drop(type, name);
                }
            }
            if (before != null
                    && request.getResourceNamesSubscribeCount() == 0
                    && request.getResourceNamesUnsubscribeCount() == 0) {
                return;
            }
            delta.onNext(request.build());
        }
    }

    private void onSotwResponse(DiscoveryResponse response) {
        String type = response.getTypeUrl();
        boolean nack = Answers.rejects(reject, response);
        List<String> names = new ArrayList<>();
        synchronized (this) {
            if (nack) {
                sotw.onNext(Answers.nack(
                        node, response, versions.getOrDefault(type, ""), subscribed.getOrDefault(type, Set.of())));
            } else {
                Map<String, Any> byName = new HashMap<>();
                for (Any any : response.getResourcesList()) {
                    String name = nameOf(type, any);
                    byName.put(name, intern.apply(any));
                    names.add(name);
                }
                Map<String, Any> current = resources.computeIfAbsent(type, k -> new ConcurrentHashMap<>());
                List<String> gone = Answers.removedBy(type, current.keySet(), byName.keySet());
                gone.forEach(name -> drop(type, name));
                byName.forEach((name, any) -> hold(type, name, any));
                versions.put(type, response.getVersionInfo());
                nonces.put(type, response.getNonce());
                Runnable ack = () -> sotw.onNext(Answers.ack(node, response, subscribed.getOrDefault(type, Set.of())));
                applied(type, names, gone, silent ? () -> {} : ack);
            }
        }
        record(new Received(
                type, response.getVersionInfo(), names, List.of(), response.getSerializedSize(), System.nanoTime()));
        if (nack) {
            nacks.incrementAndGet(); // after the response is recorded: who sees the NACK counted sees the response too
        }
    }

    private void onDeltaResponse(DeltaDiscoveryResponse response) {
        String type = response.getTypeUrl();
        boolean nack = Answers.rejects(reject, response);
        List<String> names = new ArrayList<>();
        synchronized (this) {
            if (nack) {
                delta.onNext(Answers.nack(node, response));
            } else {
                for (Resource resource : response.getResourcesList()) {
                    hold(type, resource.getName(), intern.apply(resource.getResource()));
                    heldVersions.put(type + "\u0000" + resource.getName(), resource.getVersion());
                    names.add(resource.getName());
                }
                // Envoy ignores the removal of a route configuration or secret, serving on with it until no listener
                // names
                // it; dropping it here all the same counts a server that removes what is still in use, which a proxy
                // starting afresh would then not get.
                response.getRemovedResourcesList().forEach(name -> drop(type, name));
                versions.put(type, response.getSystemVersionInfo());
                Runnable ack = () -> delta.onNext(Answers.ack(node, response));
                applied(type, names, response.getRemovedResourcesList(), silent ? () -> {} : ack);
            }
        }
        record(new Received(
                type,
                response.getSystemVersionInfo(),
                names,
                response.getRemovedResourcesList(),
                response.getSerializedSize(),
                System.nanoTime()));
        if (nack) {
            nacks.incrementAndGet();
        }
    }

    /**
     * Holds a resource as received, keeping the count of what held route configurations name; a listener starts
     * warming, and counts only once it serves (caller locks).
     */
    private void hold(String type, String name, Any any) {
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
    private void drop(String type, String name) {
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
    private synchronized void listenerWarmingTimedOut(String name, WarmingListener timedOut) {
        if (warmingListeners.get(name) != timedOut) {
            return;
        }
        activateListener(name);
        followReferences(LISTENER);
        checkInvariant("the initial fetch timeout of listener " + name);
    }

    /**
     * After a response was applied, as Envoy goes on: new EDS clusters warm until their endpoints arrive, and the CDS
     * response is ACKed only then (an updated cluster keeps serving meanwhile, and one whose endpoints are held warms
     * from them at once); subscriptions follow what listeners and clusters name; listeners whose route configurations
     * and secrets have arrived start serving; then the invariant is checked. Caller locks.
     */
    private void applied(String type, List<String> updated, List<String> removed, Runnable ack) {
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
        // After the ACK, as Envoy lets go of what an old listener version named only once the new one replaced it.
        activateWarmedListeners();
        checkInvariant("a " + type.substring(type.lastIndexOf('.') + 1) + " response");
    }

    /** Envoy's initial fetch timeout: a cluster whose endpoints never came is used without them. */
    private synchronized void clusterWarmingTimedOut(Runnable held) {
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

    /**
     * Responses (and listener initial fetch timeouts) after which the proxy held a route configuration, or served a
     * listener, naming a cluster it did not hold warm, or served a listener naming a secret it did not hold: each
     * would be failed requests at a real Envoy. Must be 0.
     */
    public long makeBeforeBreakViolations() {
        return invariant.violations();
    }

    /** Whether a cluster is held and warm (an EDS cluster once its endpoints arrived). */
    public synchronized boolean clusterWarm(String name) {
        return activeClusters.contains(name);
    }

    /**
     * Whether the latest version received of a listener serves: every route configuration and secret it waited for
     * arrived, or its initial fetch timeout passed.
     */
    public synchronized boolean listenerWarm(String name) {
        return activeListeners.containsKey(name) && !warmingListeners.containsKey(name);
    }

    /**
     * The version of a listener that serves, as received, or null when none does: a new listener serves nothing
     * while it warms, and an updated one goes on serving its previous version meanwhile.
     */
    public synchronized Any activeListener(String name) {
        return activeListeners.get(name);
    }

    /** What the first violations were, for a test's failure message. */
    public synchronized List<String> violationSamples() {
        return invariant.samples();
    }

    private void record(Received received) {
        responses.incrementAndGet();
        bytes.addAndGet(received.bytes());
        for (Consumer<Received> observer : responseObservers) {
            observer.accept(received);
        }
    }

    /**
     * Like Envoy: listeners name route configurations and secrets; clusters name endpoints and secrets. Both the
     * version of a listener that serves and the one warming keep their subscriptions: the one warming is how Envoy
     * learns what to fetch, the one serving still needs what it has.
     */
    private void followReferences(String type) {
        if (type.equals(LISTENER)) {
            Set<String> routes = new LinkedHashSet<>();
            Set<String> secrets = new LinkedHashSet<>(secretNames(CLUSTER));
            List<Any> versions = new ArrayList<>(activeListeners.values());
            warmingListeners.values().forEach(warming -> versions.add(warming.listener()));
            for (Any listener : versions) {
                References references = References.of(LISTENER, listener);
                routes.addAll(references.routes());
                secrets.addAll(references.secrets());
            }
            subscribe(ROUTE, routes);
            subscribe(SECRET, secrets);
        } else if (type.equals(CLUSTER)) {
            Set<String> endpoints = new LinkedHashSet<>();
            for (Any any : resources.getOrDefault(CLUSTER, Map.of()).values()) {
                Cluster cluster = unpack(any, Cluster.class);
                if (cluster.getType() == Cluster.DiscoveryType.EDS) {
                    endpoints.add(cluster.getName());
                }
            }
            subscribe(ENDPOINT, endpoints);
            Set<String> secrets = new LinkedHashSet<>(subscribed.getOrDefault(SECRET, Set.of()));
            secrets.addAll(secretNames(CLUSTER));
            if (resources.containsKey(LISTENER)) {
                subscribe(SECRET, secrets);
            }
        }
    }

    private Set<String> secretNames(String type) {
        Set<String> names = new LinkedHashSet<>();
        if (!type.equals(CLUSTER)) {
            return names;
        }
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

    private static <T extends Message> T unpack(Any any, Class<T> type) {
        try {
            return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("malformed " + type.getSimpleName() + " from the server", e);
        }
    }

    /** Resource names currently held, by type. */
    public Map<String, Set<String>> names() {
        Map<String, Set<String>> names = new HashMap<>();
        for (String type : TYPES) {
            names.put(type, new TreeSet<>(resources.getOrDefault(type, Map.of()).keySet()));
        }
        return names;
    }

    /** Names of the resources of one type currently held. */
    public Set<String> names(String type) {
        return Set.copyOf(resources.getOrDefault(type, Map.of()).keySet());
    }

    /** Total resources currently held. */
    public int resourceCount() {
        return resources.values().stream().mapToInt(Map::size).sum();
    }

    /** A held resource as received (packed), or null. */
    public Any held(String type, String name) {
        return resources.getOrDefault(type, Map.of()).get(name);
    }

    /**
     * Whether the client holds a complete configuration, as Envoy's initialization waits for one: listeners and
     * clusters have arrived, and every route configuration, endpoint assignment and secret they name is held.
     */
    public synchronized boolean warm() {
        if (!versions.containsKey(LISTENER) || !versions.containsKey(CLUSTER)) {
            return false;
        }
        for (String type : List.of(ROUTE, ENDPOINT, SECRET)) {
            Map<String, Any> held = resources.getOrDefault(type, Map.of());
            for (String name : subscribed.getOrDefault(type, Set.of())) {
                if (!held.containsKey(name)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A held resource, unpacked, or null. */
    public <T extends Message> T resource(String type, String name, Class<T> messageType) {
        Any any = resources.getOrDefault(type, Map.of()).get(name);
        return any == null ? null : unpack(any, messageType);
    }

    public String version(String type) {
        return versions.get(type);
    }

    public long responses() {
        return responses.get();
    }

    public long bytesReceived() {
        return bytes.get();
    }

    public long nacksSent() {
        return nacks.get();
    }

    /** Completes with the stream's final status when the server ends it. */
    public CompletableFuture<Status> closed() {
        return connection.closed();
    }

    @Override
    public void close() {
        connection.close(() -> {
            synchronized (this) {
                try {
                    if (sotw != null) {
                        sotw.onCompleted();
                    }
                    if (delta != null) {
                        delta.onCompleted();
                    }
                } catch (RuntimeException e) {
                    // already closed by the server
                }
            }
        });
    }
}
