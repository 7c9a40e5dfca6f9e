package dev.gantry.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.testing.Conditions;
import dev.gantry.testing.Eventually;
import dev.gantry.xds.client.AdsClient;
import dev.gantry.xds.client.ClientCredentials;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Standalone in-process on free ports, the examples applied: status in the API and xDS over real gRPC. */
class StandaloneTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static Standalone standalone;
    private static KubernetesClient client;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        standalone = Standalone.start(new Standalone.Options(0, 0, 0, Path.of("..", "examples"), 1), Map.of());
        client = standalone.api().newClient("standalone-test");
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (standalone != null) {
            standalone.close();
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void examplesApplyCleanlyAndTheAdminPortTurnsReady() throws Exception {
        assertEquals(List.of(), standalone.problems());
        Eventually.await(TIMEOUT, "/readyz to answer 200", () -> {
            try {
                return get(standalone.adminPort(), "/readyz").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(200, get(standalone.adminPort(), "/healthz").statusCode());
        String metrics = get(standalone.adminPort(), "/metrics").body();
        assertTrue(metrics.contains("gantry_controller_leader 1.0"), metrics);
        assertTrue(metrics.contains("gantry_shard_ready{shard=\"0\"} 1.0"), metrics);
    }

    @Test
    void statusIsWrittenWithTheCurrentGeneration() {
        Eventually.await(TIMEOUT, "GatewayClass gantry Accepted", () -> {
            GatewayClass gc =
                    client.resources(GatewayClass.class).withName("gantry").get();
            return gc != null
                    && gc.getStatus() != null
                    && Conditions.has(
                            gc.getStatus().getConditions(),
                            "Accepted",
                            "True",
                            "Accepted",
                            gc.getMetadata().getGeneration());
        });
        Eventually.await(
                TIMEOUT,
                "Gateway infra/shared Accepted and Programmed with its listener's routes",
                () -> {
                    Gateway gw = client.resources(Gateway.class)
                            .inNamespace("infra")
                            .withName("shared")
                            .get();
                    if (gw.getStatus() == null || gw.getStatus().getListeners() == null) {
                        return false;
                    }
                    Long generation = gw.getMetadata().getGeneration();
                    var listener = gw.getStatus().getListeners().getFirst();
                    return Conditions.has(gw.getStatus().getConditions(), "Accepted", "True", "Accepted", generation)
                            && Conditions.has(
                                    gw.getStatus().getConditions(), "Programmed", "True", "Programmed", generation)
                            && listener.getAttachedRoutes() == 1
                            && Conditions.has(listener.getConditions(), "Programmed", "True", "Programmed", generation)
                            && gw.getStatus().getAttachedListenerSets() == 2
                            && "127.0.0.1"
                                    .equals(gw.getStatus()
                                            .getAddresses()
                                            .getFirst()
                                            .getValue());
                },
                () -> String.valueOf(client.resources(Gateway.class)
                        .inNamespace("infra")
                        .withName("shared")
                        .get()
                        .getStatus()));
        Eventually.await(TIMEOUT, "ListenerSet team-b accepted with its HTTPS listener programmed", () -> {
            ListenerSet set = client.resources(ListenerSet.class)
                    .inNamespace("team-b")
                    .withName("team-b")
                    .get();
            return set.getStatus() != null
                    && Conditions.has(
                            set.getStatus().getConditions(),
                            "Accepted",
                            "True",
                            "Accepted",
                            set.getMetadata().getGeneration())
                    && set.getStatus().getListeners().getFirst().getAttachedRoutes() == 1;
        });
        Eventually.await(TIMEOUT, "HTTPRoute team-a/app-a accepted on its ListenerSet", () -> {
            HTTPRoute route = client.resources(HTTPRoute.class)
                    .inNamespace("team-a")
                    .withName("app-a")
                    .get();
            if (route.getStatus() == null
                    || route.getStatus().getParents() == null
                    || route.getStatus().getParents().isEmpty()) {
                return false;
            }
            var parent = route.getStatus().getParents().getFirst();
            return "ListenerSet".equals(parent.getParentRef().getKind())
                    && "gantry.dev/gateway-controller".equals(parent.getControllerName())
                    && Conditions.has(
                            parent.getConditions(),
                            "Accepted",
                            "True",
                            "Accepted",
                            route.getMetadata().getGeneration())
                    && Conditions.has(parent.getConditions(), "ResolvedRefs", "True", "ResolvedRefs", null);
        });
    }

    /** The credential standalone wrote for a Gateway's local Envoy, once it is there. */
    private static AdsClient.Transport filesOf(String namespace, String name) {
        Path directory = standalone.proxyDirectory().resolve(namespace).resolve(name);
        Eventually.await(
                TIMEOUT,
                "the files of " + namespace + "/" + name,
                () -> Files.exists(directory.resolve("tls.key")) && Files.exists(directory.resolve("envoy.yaml")));
        try {
            ClientCredentials credentials = new ClientCredentials(
                    Files.readString(directory.resolve("ca.crt")),
                    Files.readString(directory.resolve("tls.crt")),
                    Files.readString(directory.resolve("tls.key")));
            return new AdsClient.Transport.Tls(() -> credentials, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyGatewayGetsABootstrapAndACredentialOnlyItsOwnerMayRead() throws Exception {
        Path directory = standalone.proxyDirectory().resolve("infra").resolve("shared");
        filesOf("infra", "shared");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("tls.key"))));
        String bootstrap = Files.readString(directory.resolve("envoy.yaml"));
        assertTrue(
                bootstrap.contains(
                        "port_value: " + standalone.shards().getFirst().xdsPort()),
                bootstrap);
        assertTrue(
                bootstrap.contains("path: \"" + directory.toAbsolutePath() + "/xds-client-certificate.yaml\""),
                bootstrap);
        assertTrue(Files.readString(directory.resolve("xds-trusted-ca.yaml")).contains("exact: \"127.0.0.1\""));
        // A Gateway created while standalone runs gets its directory too, and loses it when deleted.
        client.resource(new GatewayBuilder()
                        .withNewMetadata()
                        .withName("later")
                        .withNamespace("infra")
                        .endMetadata()
                        .withNewSpec()
                        .withGatewayClassName("gantry")
                        .addNewListener()
                        .withName("http")
                        .withPort(9080)
                        .withProtocol("HTTP")
                        .endListener()
                        .endSpec()
                        .build())
                .create();
        filesOf("infra", "later");
        client.resources(Gateway.class).inNamespace("infra").withName("later").delete();
        Eventually.await(
                TIMEOUT,
                "the directory of a deleted Gateway removed",
                () -> !Files.exists(standalone.proxyDirectory().resolve("infra").resolve("later")));
    }

    @Test
    void aPlaintextConnectionGetsNothing() throws Exception {
        try (AdsClient ads = AdsClient.connect(
                "127.0.0.1",
                standalone.shards().getFirst().xdsPort(),
                "plaintext",
                "infra/shared",
                AdsClient.Protocol.DELTA)) {
            Status status = ads.closed().get(10, TimeUnit.SECONDS);
            assertEquals(Status.Code.UNAVAILABLE, status.getCode());
            assertEquals(0, ads.responses());
        }
    }

    @Test
    void adsClientsReceiveTheExampleRoutes() {
        for (AdsClient.Protocol protocol : AdsClient.Protocol.values()) {
            try (AdsClient ads = AdsClient.connect(
                    "127.0.0.1",
                    standalone.shards().getFirst().xdsPort(),
                    filesOf("infra", "shared"),
                    "proxy-" + protocol,
                    "infra/shared",
                    protocol)) {
                Eventually.await(
                        TIMEOUT,
                        protocol + " client to hold the example's listeners, routes and endpoints",
                        () -> ads.names().get(AdsClient.LISTENER).equals(Set.of("tcp-8080", "tcp-8443"))
                                && ads.names()
                                        .get(AdsClient.ROUTE)
                                        .equals(Set.of("http-8080", "https-8443-app-b.example.com"))
                                && ads.names().get(AdsClient.ENDPOINT).size() == 4
                                && ads.names().get(AdsClient.SECRET).equals(Set.of("cert/team-b/app-b-tls")),
                        () -> ads.names().toString());
                RouteConfiguration http = ads.resource(AdsClient.ROUTE, "http-8080", RouteConfiguration.class);
                VirtualHost appA = http.getVirtualHostsList().stream()
                        .filter(v -> v.getDomainsList().contains("app-a.example.com"))
                        .findFirst()
                        .orElseThrow();
                Route api = appA.getRoutes(0);
                assertEquals("/api", api.getMatch().getPathSeparatedPrefix());
                assertEquals("svc/team-a/api/8080", api.getRoute().getCluster());
                ClusterLoadAssignment endpoints =
                        ads.resource(AdsClient.ENDPOINT, "svc/team-a/api/8080", ClusterLoadAssignment.class);
                assertEquals(
                        Set.of("10.0.1.10", "10.0.1.11"),
                        Set.copyOf(endpoints.getEndpoints(0).getLbEndpointsList().stream()
                                .map(e -> e.getEndpoint()
                                        .getAddress()
                                        .getSocketAddress()
                                        .getAddress())
                                .toList()));
                assertEquals(
                        8080,
                        endpoints
                                .getEndpoints(0)
                                .getLbEndpoints(0)
                                .getEndpoint()
                                .getAddress()
                                .getSocketAddress()
                                .getPortValue());
            }
        }
    }

    @Test
    void aStreamWithoutGatewayMetadataIsRefused() throws Exception {
        try (AdsClient ads = AdsClient.connect(
                "127.0.0.1",
                standalone.shards().getFirst().xdsPort(),
                filesOf("infra", "shared"),
                "anonymous",
                null,
                AdsClient.Protocol.STATE_OF_THE_WORLD)) {
            Status status = ads.closed().get(10, TimeUnit.SECONDS);
            assertEquals(Status.Code.FAILED_PRECONDITION, status.getCode());
            assertTrue(status.getDescription().contains("gantry.dev/gateway"), status.getDescription());
        }
    }
}
