package dev.gantry.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.sharding.ShardHash;
import dev.gantry.testing.Eventually;
import dev.gantry.translate.TestPem;
import dev.gantry.xds.client.AdsClient;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import io.grpc.Status;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class XdsShardTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private ShardHarness harness;

    @BeforeEach
    void start() {
        harness = new ShardHarness();
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    private AdsClient client(XdsShard shard, String id, String gateway, AdsClient.Protocol protocol) {
        AdsClient client =
                AdsClient.connect("127.0.0.1", shard.xdsPort(), harness.transport(gateway), id, gateway, protocol);
        harness.track(client);
        return client;
    }

    private static String routePaths(AdsClient client) {
        RouteConfiguration table = client.resource(AdsClient.ROUTE, "http-80", RouteConfiguration.class);
        return table == null ? "" : table.toString();
    }

    @Test
    void eachShardServesOnlyItsOwnGatewaysAndNamesTheOwnerOfTheOthers() throws Exception {
        XdsShard zero = harness.startShard(0, 2, 0, Map.of());
        XdsShard one = harness.startShard(1, 2, 0, Map.of());
        List<XdsShard> shards = List.of(zero, one);
        for (int g = 0; g < 6; g++) {
            harness.gatewayWithRoutes("apps-" + g, "gw", 1);
        }
        for (int g = 0; g < 6; g++) {
            String gateway = "apps-" + g + "/gw";
            int owner = ShardHash.shardOf(ObjectKey.parse(gateway), 2);
            AdsClient served = client(shards.get(owner), "p-" + g, gateway, AdsClient.Protocol.STATE_OF_THE_WORLD);
            Eventually.await(
                    TIMEOUT,
                    gateway + " served by its owner",
                    () -> served.names().get(AdsClient.LISTENER).equals(Set.of("tcp-80")));
            AdsClient refused = client(shards.get(1 - owner), "q-" + g, gateway, AdsClient.Protocol.STATE_OF_THE_WORLD);
            Status status = refused.closed().get(10, TimeUnit.SECONDS);
            assertEquals(Status.Code.FAILED_PRECONDITION, status.getCode());
            assertTrue(status.getDescription().contains("served by shard " + owner + " of 2"), status.getDescription());
        }
        assertEquals(6, zero.readiness().ready() && one.readiness().ready() ? 6 : 0);
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void aRouteEditReachesOnlyTheProxiesOfItsGateway(AdsClient.Protocol protocol) {
        XdsShard shard = harness.startShard(0, 1, 0, Map.of());
        harness.gatewayWithRoutes("team-a", "gw", 3);
        harness.gatewayWithRoutes("team-b", "gw", 3);
        AdsClient a = client(shard, "a", "team-a/gw", protocol);
        AdsClient b = client(shard, "b", "team-b/gw", protocol);
        Eventually.await(
                TIMEOUT,
                "both proxies configured",
                () -> routePaths(a).contains("/r2")
                        && routePaths(b).contains("/r2")
                        && a.names().get(AdsClient.ENDPOINT).size() == 1
                        && b.names().get(AdsClient.ENDPOINT).size() == 1);
        // The last responses of the first configuration (an empty secret list, say) may still be on their way.
        long bBefore = settledResponses(b);
        harness.apply(ShardHarness.route("team-a", "gw", "r1", "/edited"));
        Eventually.await(
                TIMEOUT, "the edit at the proxy of team-a", () -> routePaths(a).contains("/edited"));
        sleep(300);
        assertEquals(bBefore, b.responses(), "the proxy of another Gateway got no push");
    }

    /**
     * Envoy asks for listeners only once its cluster manager has initialized, which waits for a first cluster response
     * up to the initial fetch timeout (15 s): a Gateway without any cluster (its only route redirects) answers that
     * request at once, with no cluster, and sends no such empty response again.
     */
    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void aProxyOfAGatewayWithoutClustersGetsItsListenersWithoutWaitingForTheInitialFetchTimeout(
            AdsClient.Protocol protocol) {
        XdsShard shard = harness.startShard(0, 1, 0, Map.of());
        harness.gatewayWithRoutes("team-a", "gw", 0);
        harness.apply(redirect("team-a", "gw", "example.org"));
        AdsClient proxy = client(shard, "a", "team-a/gw", protocol);
        Eventually.await(
                Duration.ofSeconds(10),
                "a cluster response and the listener, well before the initial fetch timeout",
                () -> proxy.version(AdsClient.CLUSTER) != null
                        && proxy.listenerWarm("tcp-80")
                        && routePaths(proxy).contains("example.org"),
                () -> "cluster version " + proxy.version(AdsClient.CLUSTER) + ", held " + proxy.names());
        assertEquals(Set.of(), proxy.names(AdsClient.CLUSTER));

        List<AdsClient.Received> clusterResponses = new CopyOnWriteArrayList<>();
        proxy.onResponse(response -> {
            if (response.typeUrl().equals(AdsClient.CLUSTER)) {
                clusterResponses.add(response);
            }
        });
        harness.apply(redirect("team-a", "gw", "example.com"));
        Eventually.await(TIMEOUT, "the edit", () -> routePaths(proxy).contains("example.com"));
        settledResponses(proxy);
        assertEquals(List.of(), clusterResponses, "no cluster response after the first");
    }

    /** An HTTPRoute whose only rule redirects to another host: it names no backend. */
    private static HTTPRoute redirect(String namespace, String gateway, String hostname) {
        return new HTTPRouteBuilder()
                .withNewMetadata()
                .withName("redirect")
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName(gateway)
                .endParentRef()
                .addNewRule()
                .addNewFilter()
                .withType("RequestRedirect")
                .withNewRequestRedirect()
                .withHostname(hostname)
                .withStatusCode(302)
                .endRequestRedirect()
                .endFilter()
                .endRule()
                .endSpec()
                .build();
    }

    @Test
    void aPushToManyProxiesOfOneGatewayIsSpreadOverThreadsAndReachesEachOnce() {
        // Enough proxies that the shard sends from several threads.
        int proxies = 150;
        XdsShard shard = harness.startShard(0, 1, 0, Map.of());
        harness.gatewayWithRoutes("team-a", "gw", 2);
        List<AdsClient> fleet = new ArrayList<>();
        for (int i = 0; i < proxies; i++) {
            fleet.add(client(shard, "p-" + i, "team-a/gw", AdsClient.Protocol.DELTA));
        }
        Eventually.await(
                TIMEOUT,
                "every proxy configured",
                () -> fleet.stream().allMatch(p -> routePaths(p).contains("/r1")));
        settledResponses(fleet.get(0));
        long[] before = new long[proxies];
        for (int i = 0; i < proxies; i++) {
            before[i] = fleet.get(i).responses();
        }
        harness.apply(ShardHarness.route("team-a", "gw", "r1", "/edited"));
        Eventually.await(
                TIMEOUT,
                "the edit at every proxy",
                () -> fleet.stream().allMatch(p -> routePaths(p).contains("/edited")));
        settledResponses(fleet.get(proxies - 1));
        for (int i = 0; i < proxies; i++) {
            assertEquals(before[i] + 1, fleet.get(i).responses(), "proxy " + i + " got the route table once");
            assertEquals(0, fleet.get(i).nacksSent());
        }
        // Every ACK opened the proxy's next watch: the next edit reaches them all again.
        Eventually.await(TIMEOUT, "watches open again", () -> shard.cache().openDeltaWatches() >= proxies);
        harness.apply(ShardHarness.route("team-a", "gw", "r1", "/edited-again"));
        Eventually.await(
                TIMEOUT,
                "the second edit at every proxy",
                () -> fleet.stream().allMatch(p -> routePaths(p).contains("/edited-again")));
    }

    @Test
    void deltaProxiesGetNewResourcesByNameAndLearnOfRemovedOnes() {
        XdsShard shard = harness.startShard(0, 1, 0, Map.of());
        harness.gatewayWithRoutes("team-a", "gw", 1);
        AdsClient proxy = client(shard, "a", "team-a/gw", AdsClient.Protocol.DELTA);
        AdsClient other = client(shard, "b", "team-a/gw", AdsClient.Protocol.DELTA);
        Eventually.await(
                TIMEOUT,
                "first configuration",
                () -> routePaths(proxy).contains("/r0") && routePaths(other).contains("/r0"));

        harness.apply(new GatewayBuilder()
                .withNewMetadata()
                .withName("gw")
                .withNamespace("team-a")
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .addNewListener()
                .withName("http")
                .withPort(80)
                .withProtocol("HTTP")
                .endListener()
                .addNewListener()
                .withName("alt")
                .withPort(8080)
                .withProtocol("HTTP")
                .endListener()
                .endSpec()
                .build());
        Eventually.await(
                TIMEOUT,
                "the new listener and, subscribed by name, its route table",
                () -> proxy.names(AdsClient.LISTENER).equals(Set.of("tcp-80", "tcp-8080"))
                        && proxy.names(AdsClient.ROUTE).equals(Set.of("http-80", "http-8080")),
                () -> proxy.names().toString());

        harness.apply(ShardHarness.route("team-a", "gw", "r0", "/edited"));
        Eventually.await(
                TIMEOUT,
                "an edit after the new subscription",
                () -> routePaths(proxy).contains("/edited") && routePaths(other).contains("/edited"));

        harness.gatewayWithRoutes("team-a", "gw", 1);
        Eventually.await(
                TIMEOUT,
                "the listener and route table removed",
                () -> proxy.names(AdsClient.LISTENER).equals(Set.of("tcp-80"))
                        && proxy.names(AdsClient.ROUTE).equals(Set.of("http-80"))
                        && other.names(AdsClient.ROUTE).equals(Set.of("http-80")),
                () -> proxy.names().toString());
        assertEquals(0, proxy.nacksSent());

        proxy.close();
        other.close();
        Eventually.await(
                TIMEOUT,
                "closed streams leave no open watch",
                () -> shard.cache().openDeltaWatches() == 0,
                () -> Integer.toString(shard.cache().openDeltaWatches()));
    }

    @Test
    void statusWritesCostTheShardNoTranslationAndNoPush() throws Exception {
        XdsShard shard = harness.startShard(0, 1, 0, Map.of());
        harness.gatewayWithRoutes("team-a", "gw", 3);
        AdsClient a = client(shard, "a", "team-a/gw", AdsClient.Protocol.DELTA);
        Eventually.await(TIMEOUT, "configured", () -> routePaths(a).contains("/r2"));
        long responses = settledResponses(a);
        double translations = translations(shard);
        double snapshots = metric(shard, "gantry_shard_change_to_snapshot_seconds_count");
        double fanOuts = metric(shard, "gantry_xds_fanout_seconds_count");
        // What the controller does all day: status written back to routes and to the Gateway.
        for (int i = 0; i < 5; i++) {
            HTTPRoute route = harness.client
                    .resources(HTTPRoute.class)
                    .inNamespace("team-a")
                    .withName("r" + (i % 3))
                    .get();
            route.setStatus(new HTTPRouteStatusBuilder()
                    .addNewParent()
                    .withControllerName("gantry.dev/gateway-controller")
                    .withNewParentRef()
                    .withName("gw")
                    .endParentRef()
                    .addToConditions(new ConditionBuilder()
                            .withType("Accepted")
                            .withStatus("True")
                            .withReason("Accepted")
                            .withMessage("round " + i)
                            .withLastTransitionTime("2026-01-01T00:00:00Z")
                            .withObservedGeneration(1L)
                            .build())
                    .endParent()
                    .build());
            harness.client.resource(route).updateStatus();
        }
        Gateway gateway = harness.client
                .resources(Gateway.class)
                .inNamespace("team-a")
                .withName("gw")
                .get();
        gateway.setStatus(new GatewayStatusBuilder()
                .addToConditions(new ConditionBuilder()
                        .withType("Programmed")
                        .withStatus("True")
                        .withReason("Programmed")
                        .withMessage("ok")
                        .withLastTransitionTime("2026-01-01T00:00:00Z")
                        .withObservedGeneration(1L)
                        .build())
                .build());
        harness.client.resource(gateway).updateStatus();
        sleep(500);
        assertEquals(translations, translations(shard), "no retranslation for status-only updates");
        assertEquals(responses, a.responses(), "no push for status-only updates");
        assertEquals(snapshots, metric(shard, "gantry_shard_change_to_snapshot_seconds_count"));
        // A real edit still goes through, and the shard times it: to the snapshot, then to the proxy waiting for it.
        double snapshotSeconds = metric(shard, "gantry_shard_change_to_snapshot_seconds_sum");
        harness.apply(ShardHarness.route("team-a", "gw", "r1", "/edited"));
        Eventually.await(TIMEOUT, "the edit at the proxy", () -> routePaths(a).contains("/edited"));
        assertTrue(translations(shard) > translations);
        assertEquals(snapshots + 1, metric(shard, "gantry_shard_change_to_snapshot_seconds_count"));
        assertTrue(
                metric(shard, "gantry_shard_change_to_snapshot_seconds_sum") - snapshotSeconds
                        >= ShardHarness.DEBOUNCE.toNanos() / 1e9,
                "the time to the snapshot includes the debounce");
        // Recorded once every answer is sent, which may be after the proxy has read its own.
        Eventually.await(
                TIMEOUT,
                "the fan-out timed",
                () -> metricOrNaN(shard, "gantry_xds_fanout_seconds_count") == fanOuts + 1);
    }

    private static double translations(XdsShard shard) throws Exception {
        return metric(shard, "gantry_shard_translation_seconds_count");
    }

    private static double metricOrNaN(XdsShard shard, String name) {
        try {
            return metric(shard, name);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private static double metric(XdsShard shard, String name) throws Exception {
        String metrics = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + shard.adminPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return metrics.lines()
                .filter(l -> l.startsWith(name + "{shard=\"0\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void aNackKeepsTheLastGoodConfigAndIsNotAnsweredWithTheSameConfigAgain() {
        XdsShard shard = harness.startShard(0, 1, 0, Map.of());
        harness.gatewayWithRoutes("team-a", "gw", 2);
        AtomicInteger routeResponses = new AtomicInteger();
        AdsClient picky = AdsClient.connect(
                "127.0.0.1",
                shard.xdsPort(),
                harness.transport("team-a/gw"),
                "picky",
                "team-a/gw",
                AdsClient.Protocol.STATE_OF_THE_WORLD,
                (type, resources) -> type.equals(AdsClient.ROUTE)
                        && resources.stream().anyMatch(any -> any.toString().contains("/rejected")),
                UnaryOperator.identity());
        harness.track(picky);
        picky.onResponse(received -> {
            if (received.typeUrl().equals(AdsClient.ROUTE)) {
                routeResponses.incrementAndGet();
            }
        });
        Eventually.await(TIMEOUT, "configured", () -> routePaths(picky).contains("/r1"));
        harness.apply(ShardHarness.route("team-a", "gw", "r1", "/rejected"));
        Eventually.await(TIMEOUT, "a NACK", () -> picky.nacksSent() == 1);
        int afterNack = routeResponses.get();
        sleep(500);
        assertEquals(afterNack, routeResponses.get(), "the rejected routes are not sent again and again");
        assertEquals(1, picky.nacksSent());
        assertTrue(
                routePaths(picky).contains("/r1") && !routePaths(picky).contains("/rejected"),
                "the proxy keeps its last good routes");
        harness.apply(ShardHarness.route("team-a", "gw", "r1", "/fixed"));
        Eventually.await(
                TIMEOUT, "the next change arrives", () -> routePaths(picky).contains("/fixed"));
    }

    @Test
    void aStreamHeldPastTheBoundEndsUnavailable() throws Exception {
        harness.api.injectFault("GET", "/httproutes$", 500, 1_000_000);
        XdsShard shard = harness.startShard(0, 1, 0, Map.of("XDS_HOLD_TIMEOUT", "1s"));
        // The Secrets are listed (so the shard speaks TLS) while the routes never are (so it never becomes ready).
        AdsClient early = client(shard, "early", "team-a/gw", AdsClient.Protocol.STATE_OF_THE_WORLD);
        Status status = early.closed().get(15, TimeUnit.SECONDS);
        assertEquals(Status.Code.UNAVAILABLE, status.getCode());
        assertTrue(status.getDescription().contains("not ready"), status.getDescription());
        assertEquals(0, early.responses(), "nothing was sent while the shard was not ready");
        assertTrue(!shard.readiness().ready());
    }

    @Test
    void aProxyConnectedBeforeReadinessGetsNothingUntilTheFullConfigOf500ListenerSets() {
        int sets = 500;
        harness.apply(new NamespaceBuilder()
                .withNewMetadata()
                .withName("infra")
                .endMetadata()
                .build());
        harness.apply(new GatewayBuilder()
                .withNewMetadata()
                .withName("shared")
                .withNamespace("infra")
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .withNewAllowedListeners()
                .withNewNamespaces()
                .withFrom("All")
                .endNamespaces()
                .endAllowedListeners()
                .addNewListener()
                .withName("placeholder")
                .withPort(80)
                .withProtocol("HTTP")
                .withHostname("placeholder.invalid")
                .endListener()
                .endSpec()
                .build());
        harness.gatewayWithRoutes("team", "unused", 0);
        harness.apply(new SecretBuilder()
                .withNewMetadata()
                .withName("cert")
                .withNamespace("team")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(Map.of(
                        "tls.crt",
                                Base64.getEncoder()
                                        .encodeToString(TestPem.CERTIFICATE.getBytes(StandardCharsets.UTF_8)),
                        "tls.key",
                                Base64.getEncoder()
                                        .encodeToString(TestPem.PRIVATE_KEY.getBytes(StandardCharsets.UTF_8))))
                .build());
        for (int s = 0; s < sets; s++) {
            harness.apply(new ListenerSetBuilder()
                    .withNewMetadata()
                    .withName("ls-" + s)
                    .withNamespace("team")
                    .endMetadata()
                    .withNewSpec()
                    .withNewParentRef()
                    .withName("shared")
                    .withNamespace("infra")
                    .endParentRef()
                    .addNewListener()
                    .withName("https")
                    .withPort(443)
                    .withProtocol("HTTPS")
                    .withHostname("h" + s + ".example.com")
                    .withNewTls()
                    .addNewCertificateRef()
                    .withName("cert")
                    .endCertificateRef()
                    .endTls()
                    .endListener()
                    .endSpec()
                    .build());
            harness.apply(new HTTPRouteBuilder()
                    .withNewMetadata()
                    .withName("route-" + s)
                    .withNamespace("team")
                    .endMetadata()
                    .withNewSpec()
                    .addNewParentRef()
                    .withKind("ListenerSet")
                    .withName("ls-" + s)
                    .endParentRef()
                    .addNewRule()
                    .addNewBackendRef()
                    .withName("backend")
                    .withPort(8080)
                    .endBackendRef()
                    .endRule()
                    .endSpec()
                    .build());
        }
        XdsShard shard = harness.startShard(0, 1, 0, Map.of());
        for (AdsClient.Protocol protocol : AdsClient.Protocol.values()) {
            List<String> problems = new CopyOnWriteArrayList<>();
            AdsClient early = AdsClient.connect(
                    "127.0.0.1",
                    shard.xdsPort(),
                    harness.transport("infra/shared"),
                    "early-" + protocol,
                    "infra/shared",
                    protocol);
            harness.track(early);
            early.onResponse(received -> {
                Map<String, Set<String>> held = early.names();
                if (!held.get(AdsClient.LISTENER).isEmpty()
                        && held.get(AdsClient.LISTENER).size() != 2) {
                    problems.add("listeners: " + held.get(AdsClient.LISTENER).size());
                }
                if (!held.get(AdsClient.ROUTE).isEmpty()
                        && held.get(AdsClient.ROUTE).size() != sets + 1) {
                    problems.add("route tables: " + held.get(AdsClient.ROUTE).size());
                }
            });
            Eventually.await(
                    TIMEOUT,
                    protocol + ": the full configuration",
                    () -> early.names().get(AdsClient.ROUTE).size() == sets + 1
                            && early.names().get(AdsClient.SECRET).size() == 1
                            && early.names().get(AdsClient.ENDPOINT).size() == 1,
                    () -> early.names().values().stream()
                            .map(Set::size)
                            .toList()
                            .toString());
            assertTrue(shard.readiness().ready());
            assertEquals(List.of(), problems, "no proxy ever held a partial configuration");
        }
    }

    @Test
    void proxiesKeepEveryResourceWhileTheirShardRestarts() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        harness.gatewayWithRoutes("team-a", "gw", 5);
        XdsShard first = harness.startShard(0, 1, port, Map.of());
        List<AdsClient> clients = new ArrayList<>();
        AtomicInteger shrunk = new AtomicInteger();
        for (AdsClient.Protocol protocol : AdsClient.Protocol.values()) {
            AdsClient client = AdsClient.connect(
                            "127.0.0.1",
                            port,
                            harness.transport("team-a/gw"),
                            "proxy-" + protocol,
                            "team-a/gw",
                            protocol)
                    .autoReconnect(true);
            harness.track(client);
            clients.add(client);
        }
        Eventually.await(TIMEOUT, "configured", () -> clients.stream().allMatch(c -> c.resourceCount() == 4));
        for (AdsClient client : clients) {
            client.onResponse(received -> {
                if (client.resourceCount() < 4) {
                    shrunk.incrementAndGet();
                }
            });
        }
        first.close();
        Eventually.await(TIMEOUT, "streams broken", () -> clients.stream().allMatch(c -> c.reconnects() > 0));
        XdsShard second = harness.startShard(0, 1, port, Map.of());
        Eventually.await(
                TIMEOUT, "restarted shard ready", () -> second.readiness().ready());
        harness.apply(ShardHarness.route("team-a", "gw", "r0", "/after-restart"));
        Eventually.await(
                TIMEOUT,
                "a change after the restart reaches both proxies",
                () -> clients.stream().allMatch(c -> routePaths(c).contains("/after-restart")));
        assertEquals(0, shrunk.get(), "no proxy lost a resource across the restart");
        assertTrue(clients.stream().allMatch(c -> c.resourceCount() == 4));
    }

    @Test
    void watchesDroppedByTheApiServerResumeAndLaterChangesArrive() {
        XdsShard shard = harness.startShard(0, 1, 0, Map.of());
        harness.gatewayWithRoutes("team-a", "gw", 2);
        AdsClient client = client(shard, "p", "team-a/gw", AdsClient.Protocol.DELTA);
        Eventually.await(TIMEOUT, "configured", () -> routePaths(client).contains("/r1"));
        harness.api.dropWatches();
        sleep(300);
        assertEquals(4, client.resourceCount(), "the proxy keeps its configuration");
        harness.apply(ShardHarness.route("team-a", "gw", "r1", "/after-watch-loss"));
        Eventually.await(
                TIMEOUT,
                "a change after the watches came back",
                () -> routePaths(client).contains("/after-watch-loss"));
    }

    @Test
    void debugEndpointsDescribeTheShardAndDumpAGatewaysConfig() throws Exception {
        XdsShard shard = harness.startShard(0, 1, 0, Map.of());
        harness.gatewayWithRoutes("team-a", "gw", 1);
        AdsClient client = client(shard, "p", "team-a/gw", AdsClient.Protocol.STATE_OF_THE_WORLD);
        Eventually.await(TIMEOUT, "configured", () -> client.resourceCount() == 4);
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + shard.adminPort();
        String debug = http.send(
                        HttpRequest.newBuilder(URI.create(base + "/debug/shard"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(debug.contains("\"gateway\":\"team-a/gw\"") && debug.contains("\"proxies\":1"), debug);
        HttpResponse<String> dump = http.send(
                HttpRequest.newBuilder(URI.create(base + "/debug/config_dump?gateway=team-a/gw"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, dump.statusCode());
        assertTrue(
                dump.body().contains("\"name\": \"tcp-80\"") && dump.body().contains("svc/team-a/backend/8080"),
                dump.body());
        assertEquals(
                404,
                http.send(
                                HttpRequest.newBuilder(URI.create(base + "/debug/config_dump?gateway=nope/gw"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        String metrics = http.send(
                        HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(metrics.contains("gantry_xds_connected_proxies{gateway=\"team-a/gw\",shard=\"0\"} 1.0"), metrics);
        assertTrue(metrics.contains("gantry_shard_ready{shard=\"0\"} 1.0"), metrics);
        assertTrue(
                harness.client
                                .resources(Kinds.GATEWAY.type())
                                .inNamespace("team-a")
                                .withName("gw")
                                .get()
                                .getStatus()
                        == null,
                "a shard never writes status");
    }

    /** The client's response count once it has not changed for 300 ms. */
    private static long settledResponses(AdsClient client) {
        long count = client.responses();
        while (true) {
            sleep(300);
            long now = client.responses();
            if (now == count) {
                return count;
            }
            count = now;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
