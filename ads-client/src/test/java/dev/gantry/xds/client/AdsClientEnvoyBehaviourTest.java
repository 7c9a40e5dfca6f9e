package dev.gantry.xds.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.gantry.testing.Eventually;
import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The test client behaves as Envoy does where it matters for live traffic: a new EDS cluster warms until its
 * endpoints arrive and its CDS response is ACKed only then, a new listener version warms until the route
 * configurations and secrets it names arrive while the previous version serves, and after every response it checks
 * that nothing serving names a cluster it does not hold warm or a secret it does not hold. Served by
 * java-control-plane's own cache, fed snapshots by hand.
 */
class AdsClientEnvoyBehaviourTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final ConfigSource ADS = ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance())
            .build();

    private final SimpleCache<String> cache = new SimpleCache<>((NodeGroup<String>) node -> "proxies");
    /**
     * What crossed the stream, in order: "subscribe <type>" (a request answering no response), "response <type> <names>
     * <nonce>" and "ack <type> <nonce>".
     */
    private final List<String> events = new CopyOnWriteArrayList<>();

    private Server server;
    /** A server answering only what a test sends it, for responses the cache would not send. */
    private Server scriptedServer;

    private AdsClient client;

    @BeforeEach
    void start() throws Exception {
        V3DiscoveryServer discovery = new V3DiscoveryServer(
                List.of(new DiscoveryServerCallbacks() {
                    @Override
                    public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
                        if (request.getResponseNonce().isEmpty()) {
                            events.add("subscribe " + shortType(request.getTypeUrl()));
                        } else if (!request.hasErrorDetail()) {
                            events.add("ack " + shortType(request.getTypeUrl()) + " " + request.getResponseNonce());
                        }
                    }

                    @Override
                    public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
                        if (request.getResponseNonce().isEmpty()) {
                            events.add("subscribe " + shortType(request.getTypeUrl()));
                        } else if (!request.hasErrorDetail()) {
                            events.add("ack " + shortType(request.getTypeUrl()) + " " + request.getResponseNonce());
                        }
                    }

                    @Override
                    public void onV3StreamResponse(
                            long streamId, DiscoveryRequest request, DiscoveryResponse response) {
                        events.add("response " + shortType(response.getTypeUrl()) + " "
                                + response.getResourcesList().stream()
                                        .map(any -> ProxyConfiguration.nameOf(response.getTypeUrl(), any))
                                        .sorted()
                                        .toList()
                                + " " + response.getNonce());
                    }

                    @Override
                    public void onV3StreamDeltaResponse(
                            long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
                        events.add("response " + shortType(response.getTypeUrl()) + " "
                                + response.getResourcesList().stream()
                                        .map(r -> r.getName())
                                        .sorted()
                                        .toList() + " " + response.getNonce());
                    }
                }),
                cache);
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(discovery.getAggregatedDiscoveryServiceImpl())
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.shutdownNow();
        if (scriptedServer != null) {
            scriptedServer.shutdownNow();
        }
    }

    private static String shortType(String typeUrl) {
        return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
    }

    private void serve(List<String> clusters, String routeTo) {
        serve(clusters, routeTo, List.of(listener()), List.of());
    }

    /** Serves EDS clusters with their endpoints, the route configuration "routes" to one, listeners and secrets. */
    private void serve(List<String> clusters, String routeTo, List<Listener> listeners, List<String> secrets) {
        cache.setSnapshot(
                "proxies",
                Snapshot.create(
                        clusters.stream()
                                .map(AdsClientEnvoyBehaviourTest::cluster)
                                .toList(),
                        "c" + clusters,
                        clusters.stream()
                                .map(AdsClientEnvoyBehaviourTest::endpoints)
                                .toList(),
                        "e" + clusters,
                        listeners,
                        "l" + listeners.hashCode(),
                        List.of(routes(routeTo)),
                        "r" + routeTo,
                        secrets.stream()
                                .map(AdsClientEnvoyBehaviourTest::secret)
                                .toList(),
                        "s" + secrets));
    }

    private AdsClient connect(AdsClient.Protocol protocol) {
        client = AdsClient.connect("127.0.0.1", server.getPort(), "envoy", "team/gw", protocol);
        return client;
    }

    private static String route(AdsClient client) {
        RouteConfiguration table = client.resource(AdsClient.ROUTE, "routes", RouteConfiguration.class);
        return table == null
                ? ""
                : table.getVirtualHosts(0).getRoutes(0).getRoute().getCluster();
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void switchingARouteInOneStepIsSeenAsAWindowOfFailedRequests(AdsClient.Protocol protocol) {
        serve(List.of("a"), "a");
        AdsClient proxy = connect(protocol);
        Eventually.await(
                TIMEOUT,
                "configured",
                () -> proxy.warm() && proxy.clusterWarm("a") && route(proxy).equals("a"));
        assertEquals(0, proxy.makeBeforeBreakViolations());
        // Cluster a replaced by b and the route moved, all at once: one of them reaches the proxy first.
        serve(List.of("b"), "b");
        Eventually.await(
                TIMEOUT,
                "moved",
                () -> route(proxy).equals("b")
                        && proxy.clusterWarm("b")
                        && proxy.names(AdsClient.CLUSTER).equals(Set.of("b")));
        assertTrue(proxy.makeBeforeBreakViolations() > 0, "the window is counted");
        assertTrue(
                proxy.violationSamples().getFirst().contains("cluster "),
                proxy.violationSamples().toString());
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void makeBeforeBreakInStepsHasNoWindowAndTheCdsAckWaitsForTheEndpoints(AdsClient.Protocol protocol) {
        serve(List.of("a"), "a");
        AdsClient proxy = connect(protocol);
        Eventually.await(
                TIMEOUT,
                "configured",
                () -> proxy.warm() && proxy.clusterWarm("a") && route(proxy).equals("a"));
        // Make: b beside a. Then move the route. Then break: a goes.
        serve(List.of("a", "b"), "a");
        Eventually.await(TIMEOUT, "b warm", () -> proxy.clusterWarm("b"));
        serve(List.of("a", "b"), "b");
        Eventually.await(TIMEOUT, "route on b", () -> route(proxy).equals("b"));
        serve(List.of("b"), "b");
        Eventually.await(TIMEOUT, "a gone", () -> proxy.names(AdsClient.CLUSTER).equals(Set.of("b")));
        assertEquals(
                0, proxy.makeBeforeBreakViolations(), proxy.violationSamples().toString());

        // Envoy ACKs the CDS response that brought b only once b's endpoints are there.
        String cds = events.stream()
                .filter(e -> e.startsWith("response Cluster ") && names(e).contains("b"))
                .findFirst()
                .orElseThrow();
        String nonce = cds.substring(cds.lastIndexOf(' ') + 1);
        int ack = events.indexOf("ack Cluster " + nonce);
        int endpoints = -1;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).startsWith("response ClusterLoadAssignment ")
                    && names(events.get(i)).contains("b")) {
                endpoints = i;
                break;
            }
        }
        assertTrue(ack > 0 && endpoints > 0 && ack > endpoints, "the CDS ACK came after b's endpoints: " + events);
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void listenersAreAskedForOnlyOnceTheFirstClusterResponseIsAnsweredAndItsClustersAreWarm(
            AdsClient.Protocol protocol) {
        serve(List.of("a"), "a");
        AdsClient proxy = connect(protocol);
        Eventually.await(
                TIMEOUT, "configured", () -> proxy.warm() && proxy.listenerWarm("http") && proxy.clusterWarm("a"));

        // Envoy initializes its cluster manager first (the CDS response, then the endpoints of the clusters it
        // brought), and only then the listener manager, which subscribes to LDS.
        assertEquals("subscribe Cluster", events.getFirst(), events.toString());
        String cds = events.stream()
                .filter(e -> e.startsWith("response Cluster "))
                .findFirst()
                .orElseThrow();
        int ack = events.indexOf("ack Cluster " + cds.substring(cds.lastIndexOf(' ') + 1));
        int endpoints = indexOfFirst("response ClusterLoadAssignment ");
        int listeners = events.indexOf("subscribe Listener");
        assertTrue(
                endpoints > 0 && ack > endpoints && listeners > ack,
                "endpoints, then the CDS ACK, then the LDS subscription: " + events);
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void withoutAnyClusterResponseListenersAreAskedForAfterTheInitialFetchTimeout(AdsClient.Protocol protocol) {
        // No snapshot: the server answers nothing.
        long connected = System.nanoTime();
        connect(protocol).initialFetchTimeout(Duration.ofMillis(500));
        Eventually.await(TIMEOUT, "an LDS subscription", () -> events.contains("subscribe Listener"));
        long waitedMillis = (System.nanoTime() - connected) / 1_000_000;

        assertTrue(waitedMillis >= 500, "LDS subscribed after " + waitedMillis + " ms");
        assertEquals(List.of("subscribe Cluster", "subscribe Listener"), events);
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void aListenerNamingANewSecretWarmsUntilItArrivesWhileItsPreviousVersionServes(AdsClient.Protocol protocol) {
        serve(List.of("a"), "a", List.of(httpsListener("https", "cert-1")), List.of("cert-1"));
        AdsClient proxy = connect(protocol);
        Eventually.await(
                TIMEOUT,
                "configured",
                () -> proxy.warm()
                        && proxy.listenerWarm("https")
                        && proxy.clusterWarm("a")
                        && route(proxy).equals("a"));
        List<String> servingWhenListenersArrived = new CopyOnWriteArrayList<>();
        proxy.onResponse(response -> {
            if (response.typeUrl().equals(AdsClient.LISTENER)) {
                servingWhenListenersArrived.add("https on " + certificate(proxy.activeListener("https")) + ", other on "
                        + certificate(proxy.activeListener("other")));
            }
        });
        // The listener moves to a new certificate and another listener comes with a third: a proxy asks for a secret
        // only once it sees a listener naming it, so neither certificate can arrive before its listener.
        serve(
                List.of("a"),
                "a",
                List.of(httpsListener("https", "cert-2"), httpsListener("other", "cert-3")),
                List.of("cert-1", "cert-2", "cert-3"));
        Eventually.await(
                TIMEOUT, "both listeners serving", () -> proxy.listenerWarm("https") && proxy.listenerWarm("other"));
        assertEquals(
                "https on cert-1, other on null",
                servingWhenListenersArrived.getFirst(),
                "the previous version served and the new listener did not while their secrets were on their way");
        assertEquals("cert-2", certificate(proxy.activeListener("https")));
        assertEquals(
                0, proxy.makeBeforeBreakViolations(), proxy.violationSamples().toString());
        // What only the replaced version named is let go once the new version serves.
        Eventually.await(
                TIMEOUT, "cert-1 let go", () -> proxy.names(AdsClient.SECRET).equals(Set.of("cert-2", "cert-3")));
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void aListenerWhoseSecretNeverArrivesServesWithoutItAfterTheInitialFetchTimeout(AdsClient.Protocol protocol) {
        serve(List.of("a"), "a", List.of(httpsListener("https", "cert-1")), List.of("cert-1"));
        AdsClient proxy = connect(protocol).initialFetchTimeout(Duration.ofMillis(500));
        Eventually.await(
                TIMEOUT,
                "configured",
                () -> proxy.warm()
                        && proxy.listenerWarm("https")
                        && proxy.clusterWarm("a")
                        && route(proxy).equals("a"));
        List<String> whenTheUpdateArrived = new CopyOnWriteArrayList<>();
        proxy.onResponse(response -> {
            if (response.typeUrl().equals(AdsClient.LISTENER)) {
                whenTheUpdateArrived.add("serving " + certificate(proxy.activeListener("https")) + ", violations "
                        + proxy.makeBeforeBreakViolations());
            }
        });
        long updated = System.nanoTime();
        serve(List.of("a"), "a", List.of(httpsListener("https", "cert-2")), List.of("cert-1"));
        Eventually.await(
                TIMEOUT,
                "the update serving",
                () -> proxy.listenerWarm("https") && "cert-2".equals(certificate(proxy.activeListener("https"))));
        long waitedMillis = (System.nanoTime() - updated) / 1_000_000;

        assertEquals("serving cert-1, violations 0", whenTheUpdateArrived.getFirst());
        assertTrue(waitedMillis >= 500, "served after " + waitedMillis + " ms");
        assertEquals("cert-2", certificate(proxy.activeListener("https")));
        // From then on a real Envoy fails the TLS handshakes of that listener.
        assertTrue(proxy.makeBeforeBreakViolations() > 0, "counted");
        assertEquals(
                "after the initial fetch timeout of listener https: secret cert-2 (not held)",
                proxy.violationSamples().getFirst());
    }

    @Test
    void aDeltaServerRemovingASecretAServingListenerNamesIsCounted() {
        serve(List.of("a"), "a", List.of(httpsListener("https", "cert-1")), List.of("cert-1"));
        AdsClient proxy = connect(AdsClient.Protocol.DELTA);
        Eventually.await(
                TIMEOUT,
                "configured",
                () -> proxy.warm()
                        && proxy.listenerWarm("https")
                        && proxy.clusterWarm("a")
                        && route(proxy).equals("a"));
        assertEquals(
                0, proxy.makeBeforeBreakViolations(), proxy.violationSamples().toString());
        // Observers hear of a response once it is wholly applied, invariant checked.
        List<AdsClient.Received> applied = new CopyOnWriteArrayList<>();
        proxy.onResponse(applied::add);
        // The listener still names cert-1: the server sends its removal.
        serve(List.of("a"), "a", List.of(httpsListener("https", "cert-1")), List.of());
        Eventually.await(
                TIMEOUT,
                "cert-1 removed",
                () -> applied.stream().anyMatch(response -> response.removed().contains("cert-1")));
        assertTrue(proxy.makeBeforeBreakViolations() > 0, "counted");
        assertEquals(
                "after a Secret response: secret cert-1 (not held)",
                proxy.violationSamples().getFirst());
    }

    /**
     * State of the world removes a secret only by the listeners no longer naming it: a Secret response may carry only
     * what changed, so one it leaves out is kept, as Envoy keeps it, and goes on serving. (The cache never sends such a
     * response: it waits until it has every secret asked for.)
     */
    @Test
    void aStateOfTheWorldSecretResponseLeavingOutANamedSecretKeepsItServing() throws Exception {
        ScriptedServer scripted = new ScriptedServer();
        scriptedServer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(scripted)
                .build()
                .start();
        client = AdsClient.connect(
                "127.0.0.1", scriptedServer.getPort(), "envoy", "team/gw", AdsClient.Protocol.STATE_OF_THE_WORLD);
        AdsClient proxy = client;
        Eventually.await(TIMEOUT, "stream open", () -> scripted.stream != null);
        scripted.send(AdsClient.CLUSTER, "1", cluster("a"));
        scripted.send(AdsClient.ENDPOINT, "1", endpoints("a"));
        scripted.send(AdsClient.LISTENER, "1", httpsListener("https", "cert-1", "cert-2"));
        scripted.send(AdsClient.ROUTE, "1", routes("a"));
        scripted.send(AdsClient.SECRET, "1", secret("cert-1"), secret("cert-2"));
        Eventually.await(
                TIMEOUT, "configured", () -> proxy.warm() && proxy.listenerWarm("https") && proxy.clusterWarm("a"));

        // Observers hear of a response once it is wholly applied, invariant checked.
        List<AdsClient.Received> applied = new CopyOnWriteArrayList<>();
        proxy.onResponse(applied::add);
        scripted.send(AdsClient.SECRET, "2", secret("cert-2"));
        Eventually.await(
                TIMEOUT,
                "second Secret response applied",
                () -> applied.stream()
                        .anyMatch(response -> response.typeUrl().equals(AdsClient.SECRET)
                                && response.version().equals("2")));
        assertNotNull(proxy.held(AdsClient.SECRET, "cert-1"));
        assertEquals(
                0, proxy.makeBeforeBreakViolations(), proxy.violationSamples().toString());
    }

    /** An ADS server that sends, state of the world, only what the test tells it to. */
    private static final class ScriptedServer
            extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase {
        volatile StreamObserver<DiscoveryResponse> stream;

        @Override
        public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> responses) {
            stream = responses;
            return new StreamObserver<>() {
                @Override
                public void onNext(DiscoveryRequest request) {}

                @Override
                public void onError(Throwable error) {}

                @Override
                public void onCompleted() {
                    responses.onCompleted();
                }
            };
        }

        void send(String type, String version, Message... resources) {
            DiscoveryResponse.Builder response = DiscoveryResponse.newBuilder()
                    .setTypeUrl(type)
                    .setVersionInfo(version)
                    .setNonce(type + version);
            for (Message resource : resources) {
                response.addResources(Any.pack(resource));
            }
            stream.onNext(response.build());
        }
    }

    /** The index of the first event starting with a prefix, or -1. */
    private int indexOfFirst(String prefix) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    /** The resource names of a recorded response. */
    private static List<String> names(String event) {
        String list = event.substring(event.indexOf('[') + 1, event.indexOf(']'));
        return list.isEmpty() ? List.of() : List.of(list.split(", "));
    }

    private static Cluster cluster(String name) {
        return Cluster.newBuilder()
                .setName(name)
                .setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS))
                .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1))
                .build();
    }

    private static ClusterLoadAssignment endpoints(String name) {
        return ClusterLoadAssignment.newBuilder()
                .setClusterName(name)
                .addEndpoints(LocalityLbEndpoints.newBuilder())
                .build();
    }

    private static Listener listener() {
        HttpConnectionManager manager = HttpConnectionManager.newBuilder()
                .setStatPrefix("http")
                .setRds(Rds.newBuilder().setRouteConfigName("routes").setConfigSource(ADS))
                .build();
        return Listener.newBuilder()
                .setName("http")
                .addFilterChains(FilterChain.newBuilder()
                        .addFilters(Filter.newBuilder()
                                .setName("envoy.filters.network.http_connection_manager")
                                .setTypedConfig(Any.pack(manager))))
                .build();
    }

    /** A listener like {@link #listener()} terminating TLS with certificates from SDS. */
    private static Listener httpsListener(String name, String... certificates) {
        CommonTlsContext.Builder tls = CommonTlsContext.newBuilder();
        for (String certificate : certificates) {
            tls.addTlsCertificateSdsSecretConfigs(
                    SdsSecretConfig.newBuilder().setName(certificate).setSdsConfig(ADS));
        }
        Listener plain = listener();
        return plain.toBuilder()
                .setName(name)
                .setFilterChains(
                        0,
                        plain.getFilterChains(0).toBuilder()
                                .setTransportSocket(TransportSocket.newBuilder()
                                        .setName("envoy.transport_sockets.tls")
                                        .setTypedConfig(Any.pack(DownstreamTlsContext.newBuilder()
                                                .setCommonTlsContext(tls)
                                                .build()))))
                .build();
    }

    /** The first certificate an HTTPS listener names, or null for none. */
    private static String certificate(Any listener) {
        if (listener == null) {
            return null;
        }
        try {
            return listener.unpack(Listener.class)
                    .getFilterChains(0)
                    .getTransportSocket()
                    .getTypedConfig()
                    .unpack(DownstreamTlsContext.class)
                    .getCommonTlsContext()
                    .getTlsCertificateSdsSecretConfigs(0)
                    .getName();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Secret secret(String name) {
        return Secret.newBuilder()
                .setName(name)
                .setTlsCertificate(TlsCertificate.newBuilder()
                        .setCertificateChain(DataSource.newBuilder().setInlineString("certificate " + name)))
                .build();
    }

    private static RouteConfiguration routes(String cluster) {
        return RouteConfiguration.newBuilder()
                .setName("routes")
                .addVirtualHosts(VirtualHost.newBuilder()
                        .setName("all")
                        .addDomains("*")
                        .addRoutes(Route.newBuilder()
                                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                                .setRoute(RouteAction.newBuilder().setCluster(cluster))))
                .build();
    }
}
