package dev.gantry.xds;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gantry.pki.KeyedCertificate;
import dev.gantry.testing.Eventually;
import dev.gantry.xds.client.AdsClient;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Make before break: whatever the order in which the server sends a change, a proxy never holds a route or listener
 * naming a cluster it does not hold warm, or a secret it does not hold. Each would be failed requests at a real
 * Envoy. Every change goes the real way: the API, the shard's informers and translation, xDS over TLS, and a
 * simulated proxy that applies and ACKs responses as Envoy does and counts the moments the rule was broken.
 */
class MakeBeforeBreakTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Time for late responses (a removal sent after the route moved, say) to reach the proxy before counting. */
    private static final long SETTLE_MILLIS = 300;

    private static final String NAMESPACE = "team-a";
    private static final String GATEWAY = NAMESPACE + "/gw";
    private static final String HTTP_TABLE = "http-80";
    /** The world every case starts from: route r0 on /r0 to the Service backend:8080 with one endpoint. */
    private static final String BACKEND = cluster("backend", 8080);

    private ShardHarness harness;
    private XdsShard shard;

    @BeforeEach
    void start() {
        harness = new ShardHarness();
        shard = harness.startShard(0, 1, 0, Map.of());
        harness.gatewayWithRoutes(NAMESPACE, "gw", 1);
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void aBackendSwitchedToANewServiceAndBack(AdsClient.Protocol protocol) {
        AdsClient proxy = configuredProxy(protocol);

        service("canary", 8080, "10.1.0.2");
        harness.apply(route(backendRef("canary", 8080)));
        awaitServing(
                proxy,
                "the route switched to canary",
                Served.http(Map.of(cluster("canary", 8080), Set.of("10.1.0.2:8080"))));

        harness.apply(route(backendRef("backend", 8080)));
        deleteService("canary");
        awaitServing(proxy, "the route switched back and canary gone", Served.initial());
        assertNoViolations(proxy);
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void aRouteDeletedAndThenItsService(AdsClient.Protocol protocol) {
        AdsClient proxy = proxyServingAnExtraRoute(protocol);
        harness.client
                .resources(HTTPRoute.class)
                .inNamespace(NAMESPACE)
                .withName("extra")
                .delete();
        deleteService("extra");
        awaitServing(proxy, "the extra route and its cluster gone", Served.initial());
        assertNoViolations(proxy);
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void aServiceDeletedAndThenItsRoute(AdsClient.Protocol protocol) {
        AdsClient proxy = proxyServingAnExtraRoute(protocol);
        deleteService("extra");
        harness.client
                .resources(HTTPRoute.class)
                .inNamespace(NAMESPACE)
                .withName("extra")
                .delete();
        awaitServing(proxy, "the extra route and its cluster gone", Served.initial());
        assertNoViolations(proxy);
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void aWeightedSplitAddedAndRemoved(AdsClient.Protocol protocol) {
        AdsClient proxy = configuredProxy(protocol);

        service("canary", 8080, "10.1.0.2");
        harness.apply(route(
                backendRef("backend", 8080).withWeight(90).build(),
                backendRef("canary", 8080).withWeight(10).build()));
        awaitServing(
                proxy,
                "the split over backend and canary",
                Served.http(
                        Map.of(BACKEND, Set.of("10.1.0.1:8080"), cluster("canary", 8080), Set.of("10.1.0.2:8080"))));

        harness.apply(route(backendRef("backend", 8080)));
        deleteService("canary");
        awaitServing(proxy, "the split removed and canary gone", Served.initial());
        assertNoViolations(proxy);
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void aRequestMirrorAddedAndRemoved(AdsClient.Protocol protocol) {
        AdsClient proxy = configuredProxy(protocol);

        service("mirror", 8080, "10.1.0.3");
        harness.apply(routeBuilder()
                .editSpec()
                .editFirstRule()
                .addNewFilter()
                .withType("RequestMirror")
                .withNewRequestMirror()
                .withNewBackendRef()
                .withName("mirror")
                .withPort(8080)
                .endBackendRef()
                .endRequestMirror()
                .endFilter()
                .endRule()
                .endSpec()
                .build());
        awaitServing(
                proxy,
                "the route mirroring to mirror",
                Served.http(
                        Map.of(BACKEND, Set.of("10.1.0.1:8080"), cluster("mirror", 8080), Set.of("10.1.0.3:8080"))));

        harness.apply(route(backendRef("backend", 8080)));
        deleteService("mirror");
        awaitServing(proxy, "the mirror removed and its Service gone", Served.initial());
        assertNoViolations(proxy);
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void aListenerSetWithItsOwnCertificateAddedAndRemoved(AdsClient.Protocol protocol) {
        // The Gateway takes ListenerSets from its own namespace; the proxy connects once that is in place.
        harness.apply(new GatewayBuilder()
                .withNewMetadata()
                .withName("gw")
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .withNewAllowedListeners()
                .withNewNamespaces()
                .withFrom("Same")
                .endNamespaces()
                .endAllowedListeners()
                .addNewListener()
                .withName("http")
                .withPort(80)
                .withProtocol("HTTP")
                .endListener()
                .endSpec()
                .build());
        AdsClient proxy = configuredProxy(protocol);

        // As `kubectl apply -f` of one manifest would: each object right after the other, in the manifest's order.
        List<HasMetadata> manifest = new ArrayList<>();
        // A real certificate and key (the harness's CA is as good an issuer as any: no client checks it here).
        manifest.add(tlsSecret(
                "app-cert", harness.ca.issueServing(List.of("app.example.com"), Instant.now(), Duration.ofDays(1))));
        manifest.addAll(serviceObjects("app", 8080, "10.1.0.4"));
        manifest.add(new ListenerSetBuilder()
                .withNewMetadata()
                .withName("app")
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withNewSpec()
                .withNewParentRef()
                .withName("gw")
                .endParentRef()
                .addNewListener()
                .withName("https")
                .withPort(443)
                .withProtocol("HTTPS")
                .withHostname("app.example.com")
                .withNewTls()
                .addNewCertificateRef()
                .withName("app-cert")
                .endCertificateRef()
                .endTls()
                .endListener()
                .endSpec()
                .build());
        manifest.add(new HTTPRouteBuilder()
                .withNewMetadata()
                .withName("app")
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withKind("ListenerSet")
                .withName("app")
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withName("app")
                .withPort(8080)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());
        manifest.forEach(harness::apply);
        Served withListenerSet = new Served(
                Set.of("tcp-80", "tcp-443"),
                Map.of(HTTP_TABLE, Set.of(BACKEND), "https-443-app.example.com", Set.of(cluster("app", 8080))),
                Map.of(BACKEND, Set.of("10.1.0.1:8080"), cluster("app", 8080), Set.of("10.1.0.4:8080")),
                Set.of("cert/" + NAMESPACE + "/app-cert"));
        awaitServing(proxy, "the HTTPS listener of the ListenerSet, its certificate and route", withListenerSet);

        // `kubectl delete -f` of the same manifest: the Secret goes first, while the listener still names it.
        for (HasMetadata object : manifest) {
            harness.client.resource(object).delete();
        }
        awaitServing(proxy, "the ListenerSet, its certificate and route gone", Served.initial());
        assertNoViolations(proxy);
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void aServicePortChanged(AdsClient.Protocol protocol) {
        AdsClient proxy = configuredProxy(protocol);
        service("backend", 9090, "10.1.0.1");
        harness.apply(route(backendRef("backend", 9090)));
        awaitServing(
                proxy,
                "the route on the new port",
                Served.http(Map.of(cluster("backend", 9090), Set.of("10.1.0.1:9090"))));
        assertNoViolations(proxy);
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void aBackendSwitchReachesAFleetWhileOneProxyRefusesEverythingAndAnotherNeverAnswers(AdsClient.Protocol protocol) {
        AdsClient.Transport transport = harness.transport(GATEWAY);
        Map<String, AdsClient> accepting = new TreeMap<>();
        for (int i = 0; i < 18; i++) {
            accepting.put(
                    "p-" + i,
                    track(AdsClient.connect("127.0.0.1", shard.xdsPort(), transport, "p-" + i, GATEWAY, protocol)));
        }
        AtomicBoolean refusing = new AtomicBoolean();
        AdsClient stuck = track(AdsClient.connect(
                "127.0.0.1",
                shard.xdsPort(),
                transport,
                "stuck",
                GATEWAY,
                protocol,
                (type, resources) -> refusing.get(),
                UnaryOperator.identity()));
        accepting.values().forEach(proxy -> awaitServing(proxy, "the initial config", Served.initial()));
        awaitServing(stuck, "the initial config", Served.initial());
        AdsClient silent =
                track(AdsClient.connect("127.0.0.1", shard.xdsPort(), transport, "silent", GATEWAY, protocol));
        awaitServing(silent, "the initial config", Served.initial());
        refusing.set(true);
        silent.stopAnswering();

        service("canary", 8080, "10.1.0.2");
        harness.apply(route(backendRef("canary", 8080)));
        Served switched = Served.http(Map.of(cluster("canary", 8080), Set.of("10.1.0.2:8080")));
        accepting.values().forEach(proxy -> awaitServing(proxy, "the route switched to canary", switched));
        Eventually.await(TIMEOUT, "the stuck proxy refused the change", () -> stuck.nacksSent() > 0);
        sleep(SETTLE_MILLIS);

        Map<String, AdsClient> fleet = new TreeMap<>(accepting);
        fleet.put("stuck", stuck);
        fleet.put("silent", silent);
        Map<String, List<String>> violations = new TreeMap<>();
        fleet.forEach((id, proxy) -> {
            if (proxy.makeBeforeBreakViolations() > 0) {
                violations.put(id + " (" + proxy.makeBeforeBreakViolations() + ")", proxy.violationSamples());
            }
        });
        assertAll(
                () -> assertEquals(Map.of(), violations, "make before break broken at these proxies"),
                () -> assertEquals(Served.initial(), Served.by(stuck), "the stuck proxy keeps its last good config"),
                () -> assertEquals(
                        Served.initial(), Served.by(silent), "the silent proxy keeps routing to a cluster it holds"),
                () -> assertEquals(2, shard.cache().streamsBehind(), "only the stuck and the silent proxy are behind"));
    }

    /**
     * What a proxy serves, as far as make before break goes: its listeners, the clusters each route table sends to
     * (mirrors and weighted shares included), the endpoints of each cluster it holds warm, and the secrets it holds.
     * Clusters held but not warm are left out, so equal means every routed cluster is usable.
     */
    private record Served(
            Set<String> listeners,
            Map<String, Set<String>> routes,
            Map<String, Set<String>> endpoints,
            Set<String> secrets) {

        /** The Gateway's one HTTP listener routing /r0 to the given clusters, which have the given endpoints. */
        static Served http(Map<String, Set<String>> endpoints) {
            return new Served(Set.of("tcp-80"), Map.of(HTTP_TABLE, endpoints.keySet()), endpoints, Set.of());
        }

        static Served initial() {
            return http(Map.of(BACKEND, Set.of("10.1.0.1:8080")));
        }

        Served {
            listeners = new TreeSet<>(listeners);
            secrets = new TreeSet<>(secrets);
            routes = new TreeMap<>(routes);
            routes.replaceAll((table, clusters) -> new TreeSet<>(clusters));
            endpoints = new TreeMap<>(endpoints);
            endpoints.replaceAll((cluster, addresses) -> new TreeSet<>(addresses));
        }

        static Served by(AdsClient proxy) {
            Map<String, Set<String>> routes = new TreeMap<>();
            for (String table : proxy.names(AdsClient.ROUTE)) {
                RouteConfiguration config = proxy.resource(AdsClient.ROUTE, table, RouteConfiguration.class);
                if (config != null) {
                    routes.put(table, routedClusters(config));
                }
            }
            Map<String, Set<String>> endpoints = new TreeMap<>();
            for (String cluster : proxy.names(AdsClient.CLUSTER)) {
                if (proxy.clusterWarm(cluster)) {
                    endpoints.put(
                            cluster,
                            addresses(proxy.resource(AdsClient.ENDPOINT, cluster, ClusterLoadAssignment.class)));
                }
            }
            return new Served(proxy.names(AdsClient.LISTENER), routes, endpoints, proxy.names(AdsClient.SECRET));
        }

        private static Set<String> routedClusters(RouteConfiguration config) {
            Set<String> clusters = new TreeSet<>();
            for (VirtualHost host : config.getVirtualHostsList()) {
                for (Route route : host.getRoutesList()) {
                    RouteAction action = route.getRoute();
                    if (!action.getCluster().isEmpty()) {
                        clusters.add(action.getCluster());
                    }
                    action.getWeightedClusters().getClustersList().stream()
                            .map(WeightedCluster.ClusterWeight::getName)
                            .forEach(clusters::add);
                    action.getRequestMirrorPoliciesList().stream()
                            .map(RouteAction.RequestMirrorPolicy::getCluster)
                            .forEach(clusters::add);
                }
            }
            return clusters;
        }

        private static Set<String> addresses(ClusterLoadAssignment assignment) {
            Set<String> addresses = new TreeSet<>();
            if (assignment != null) {
                for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
                    for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
                        var socket = endpoint.getEndpoint().getAddress().getSocketAddress();
                        addresses.add(socket.getAddress() + ":" + socket.getPortValue());
                    }
                }
            }
            return addresses;
        }
    }

    private AdsClient configuredProxy(AdsClient.Protocol protocol) {
        AdsClient proxy = track(AdsClient.connect(
                "127.0.0.1", shard.xdsPort(), harness.transport(GATEWAY), "proxy", GATEWAY, protocol));
        awaitServing(proxy, "the initial config", Served.initial());
        return proxy;
    }

    /** A proxy serving, besides r0, the route extra on /extra to the Service extra. */
    private AdsClient proxyServingAnExtraRoute(AdsClient.Protocol protocol) {
        service("extra", 8080, "10.1.0.5");
        harness.apply(ShardHarness.route(NAMESPACE, "gw", "extra", "/extra")
                .edit()
                .editSpec()
                .editFirstRule()
                .editFirstBackendRef()
                .withName("extra")
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());
        AdsClient proxy = track(AdsClient.connect(
                "127.0.0.1", shard.xdsPort(), harness.transport(GATEWAY), "proxy", GATEWAY, protocol));
        awaitServing(
                proxy,
                "the initial config with the extra route",
                Served.http(Map.of(BACKEND, Set.of("10.1.0.1:8080"), cluster("extra", 8080), Set.of("10.1.0.5:8080"))));
        return proxy;
    }

    private AdsClient track(AdsClient proxy) {
        harness.track(proxy);
        return proxy;
    }

    private static void awaitServing(AdsClient proxy, String what, Served expected) {
        Eventually.await(
                TIMEOUT,
                what,
                () -> proxy.warm() && Served.by(proxy).equals(expected),
                () -> "expected " + expected + ", held " + Served.by(proxy) + (proxy.warm() ? "" : " (not warm)"));
    }

    /** Waits for late responses, then checks that none ever broke the rule and that the proxy still serves the same. */
    private static void assertNoViolations(AdsClient proxy) {
        Served served = Served.by(proxy);
        sleep(SETTLE_MILLIS);
        assertNoViolationsNow(proxy);
        assertEquals(served, Served.by(proxy), "the final config stays");
    }

    private static void assertNoViolationsNow(AdsClient proxy) {
        assertEquals(
                0, proxy.makeBeforeBreakViolations(), () -> "make before break broken: " + proxy.violationSamples());
    }

    private static String cluster(String service, int port) {
        return "svc/" + NAMESPACE + "/" + service + "/" + port;
    }

    /** Route r0 of the initial world, on /r0, with the given backends instead of backend:8080. */
    private static HTTPRoute route(HTTPBackendRef... backends) {
        return routeBuilder()
                .editSpec()
                .editFirstRule()
                .withBackendRefs(backends)
                .endRule()
                .endSpec()
                .build();
    }

    private static HTTPRoute route(HTTPBackendRefBuilder backend) {
        return route(backend.build());
    }

    private static HTTPRouteBuilder routeBuilder() {
        return ShardHarness.route(NAMESPACE, "gw", "r0", "/r0").edit();
    }

    private static HTTPBackendRefBuilder backendRef(String service, int port) {
        return new HTTPBackendRefBuilder().withName(service).withPort(port);
    }

    /** Creates (or changes) a Service with one port named http and its EndpointSlice: the Service first. */
    private void service(String name, int port, String address) {
        serviceObjects(name, port, address).forEach(harness::apply);
    }

    private static List<HasMetadata> serviceObjects(String name, int port, String address) {
        Service service = new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("http")
                .withPort(port)
                .endPort()
                .endSpec()
                .build();
        EndpointSlice slice = new EndpointSliceBuilder()
                .withNewMetadata()
                .withName(name + "-1")
                .withNamespace(NAMESPACE)
                .addToLabels("kubernetes.io/service-name", name)
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort()
                .withName("http")
                .withPort(port)
                .endPort()
                .addNewEndpoint()
                .withAddresses(address)
                .endEndpoint()
                .build();
        return List.of(service, slice);
    }

    /** Deletes a Service and then its EndpointSlice, as the API server's garbage collector would follow it. */
    private void deleteService(String name) {
        harness.client.services().inNamespace(NAMESPACE).withName(name).delete();
        harness.client
                .resources(EndpointSlice.class)
                .inNamespace(NAMESPACE)
                .withName(name + "-1")
                .delete();
    }

    private static Secret tlsSecret(String name, KeyedCertificate certificate) {
        Base64.Encoder base64 = Base64.getEncoder();
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(Map.of(
                        "tls.crt",
                                base64.encodeToString(
                                        certificate.certificatePem().getBytes(StandardCharsets.US_ASCII)),
                        "tls.key", base64.encodeToString(certificate.keyPem().getBytes(StandardCharsets.US_ASCII))))
                .build();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
