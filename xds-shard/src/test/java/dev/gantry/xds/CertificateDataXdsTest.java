package dev.gantry.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.pki.CertificateAuthority;
import dev.gantry.testing.Eventually;
import dev.gantry.translate.TestPem;
import dev.gantry.xds.client.AdsClient;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicyBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Certificate data that Envoy would refuse never reaches a proxy: it would reject the whole resource carrying it (a
 * cluster another route shares, a Listener with every team's filter chain), so the object is refused in status
 * instead and the proxy keeps serving everything else.
 */
class CertificateDataXdsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Base64 that decodes, but to no certificate: its text must never appear in what a proxy holds. */
    static final String GARBAGE_MARK = "TUlJQ2VRSUJBREFOQmdrcWhr";

    static final String GARBAGE_CA = "-----BEGIN CERTIFICATE-----\n" + GARBAGE_MARK + "\n-----END CERTIFICATE-----\n";

    private ShardHarness harness;

    @BeforeEach
    void start() {
        harness = new ShardHarness();
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void aBackendTlsPolicyWithUnusableCaDataIsNeverSentAndItsBackendAnswers500(AdsClient.Protocol protocol) {
        XdsShard shard = harness.startShard(0, 1, 0, Map.of());
        harness.gatewayWithRoutes("apps", "gw", 1);
        for (String name : List.of("good", "bad")) {
            tlsBackend(name);
            harness.apply(new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName("ca-" + name)
                    .withNamespace("apps")
                    .endMetadata()
                    .addToData("ca.crt", name.equals("good") ? TestPem.CERTIFICATE : GARBAGE_CA)
                    .build());
            harness.apply(new BackendTLSPolicyBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace("apps")
                    .endMetadata()
                    .withNewSpec()
                    .addNewTargetRef()
                    .withGroup("")
                    .withKind("Service")
                    .withName(name)
                    .endTargetRef()
                    .withNewValidation()
                    .withHostname(name + ".example.com")
                    .addNewCaCertificateRef()
                    .withGroup("")
                    .withKind("ConfigMap")
                    .withName("ca-" + name)
                    .endCaCertificateRef()
                    .endValidation()
                    .endSpec()
                    .build());
        }
        harness.apply(new HTTPRouteBuilder()
                .withNewMetadata()
                .withName("tls")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("gw")
                .endParentRef()
                .addNewRule()
                .addNewMatch()
                .withNewPath()
                .withType("PathPrefix")
                .withValue("/good")
                .endPath()
                .endMatch()
                .addNewBackendRef()
                .withName("good")
                .withPort(443)
                .endBackendRef()
                .endRule()
                .addNewRule()
                .addNewMatch()
                .withNewPath()
                .withType("PathPrefix")
                .withValue("/bad")
                .endPath()
                .endMatch()
                .addNewBackendRef()
                .withName("bad")
                .withPort(443)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());

        AdsClient proxy =
                AdsClient.connect("127.0.0.1", shard.xdsPort(), harness.transport("apps/gw"), "p", "apps/gw", protocol);
        harness.track(proxy);
        List<String> leaks = watchForGarbage(proxy);
        Eventually.await(
                TIMEOUT,
                "the good backend's cluster with its CA, the first route untouched",
                () -> proxy.names(AdsClient.CLUSTER).contains("svc/apps/good/443")
                        && proxy.names(AdsClient.SECRET).contains("ca/apps/good")
                        && routes(proxy).contains("/r0")
                        && routes(proxy).contains("/bad"),
                () -> proxy.names().toString());
        assertEquals(List.of(), leaks, "no proxy ever received the unusable CA");
        assertNull(proxy.held(AdsClient.CLUSTER, "svc/apps/bad/443"), "no cluster for the bad backend");
        assertEquals(false, proxy.names(AdsClient.SECRET).contains("ca/apps/bad"));
        // Its share answers 500: the route names a cluster that never exists.
        RouteConfiguration table = proxy.resource(AdsClient.ROUTE, "http-80", RouteConfiguration.class);
        String bad = table.getVirtualHostsList().stream()
                .flatMap(v -> v.getRoutesList().stream())
                .filter(r -> r.getMatch().toString().contains("/bad"))
                .findFirst()
                .orElseThrow()
                .getRoute()
                .toString();
        assertEquals(true, bad.contains(EnvoyTranslator.UNRESOLVED_BACKEND), bad);
        Cluster good = proxy.resource(AdsClient.CLUSTER, "svc/apps/good/443", Cluster.class);
        assertNotNull(good.getTransportSocket().getTypedConfig(), "the good backend speaks TLS");

        // Once fixed, the CA arrives and the backend is served.
        harness.apply(new ConfigMapBuilder()
                .withNewMetadata()
                .withName("ca-bad")
                .withNamespace("apps")
                .endMetadata()
                .addToData("ca.crt", TestPem.CERTIFICATE)
                .build());
        Eventually.await(
                TIMEOUT,
                "the fixed backend's cluster and CA",
                () -> proxy.names(AdsClient.CLUSTER).contains("svc/apps/bad/443")
                        && proxy.names(AdsClient.SECRET).contains("ca/apps/bad"),
                () -> proxy.names().toString());
        assertEquals(List.of(), leaks);
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void unusableClientCaDataKeepsItsListenerFromTheProxyAndOnceFixedClientsMustPresentACertificate(
            AdsClient.Protocol protocol) {
        XdsShard shard = harness.startShard(0, 1, 0, Map.of());
        harness.gatewayWithRoutes("apps", "gw", 1);
        harness.apply(new SecretBuilder()
                .withNewMetadata()
                .withName("cert")
                .withNamespace("apps")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToStringData("tls.crt", TestPem.CERTIFICATE)
                .addToStringData("tls.key", TestPem.PRIVATE_KEY)
                .build());
        harness.apply(new ConfigMapBuilder()
                .withNewMetadata()
                .withName("client-ca")
                .withNamespace("apps")
                .endMetadata()
                .addToData("ca.crt", GARBAGE_CA)
                .build());
        harness.apply(new GatewayBuilder()
                .withNewMetadata()
                .withName("gw")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .withNewTls()
                .withNewFrontend()
                .withNewDefault()
                .withNewValidation()
                .addNewCaCertificateRef()
                .withGroup("")
                .withKind("ConfigMap")
                .withName("client-ca")
                .endCaCertificateRef()
                .endValidation()
                .endDefault()
                .endFrontend()
                .endTls()
                .addNewListener()
                .withName("http")
                .withPort(8081)
                .withProtocol("HTTP")
                .endListener()
                .addNewListener()
                .withName("https")
                .withPort(443)
                .withProtocol("HTTPS")
                .withHostname("a.example.com")
                .withNewTls()
                .addNewCertificateRef()
                .withName("cert")
                .endCertificateRef()
                .endTls()
                .endListener()
                .endSpec()
                .build());

        AdsClient proxy =
                AdsClient.connect("127.0.0.1", shard.xdsPort(), harness.transport("apps/gw"), "p", "apps/gw", protocol);
        harness.track(proxy);
        List<String> leaks = watchForGarbage(proxy);
        List<String> early = new CopyOnWriteArrayList<>();
        proxy.onResponse(received -> {
            if (proxy.names(AdsClient.LISTENER).contains("tcp-443")) {
                early.add(received.typeUrl());
            }
        });
        // The plain listener moved to 8081 in the same Gateway version that asks for the unusable client CA.
        Eventually.await(
                TIMEOUT,
                "the plain listener of the new Gateway version",
                () -> proxy.names(AdsClient.LISTENER).contains("tcp-8081") && proxy.warm(),
                () -> proxy.names().toString());
        sleep(200);
        assertEquals(Set.of("tcp-8081"), proxy.names(AdsClient.LISTENER), "no HTTPS listener without its CA");
        assertEquals(List.of(), early);

        harness.apply(new ConfigMapBuilder()
                .withNewMetadata()
                .withName("client-ca")
                .withNamespace("apps")
                .endMetadata()
                .addToData("ca.crt", TestPem.CERTIFICATE)
                .build());
        Eventually.await(
                TIMEOUT,
                "the HTTPS listener with its client CA",
                () -> proxy.names(AdsClient.LISTENER).contains("tcp-443")
                        && proxy.names(AdsClient.SECRET).contains("client-ca/apps/gw/default")
                        && proxy.warm(),
                () -> proxy.names().toString());
        Listener listener = proxy.resource(AdsClient.LISTENER, "tcp-443", Listener.class);
        DownstreamTlsContext tls =
                unpack(listener.getFilterChains(0).getTransportSocket().getTypedConfig());
        assertEquals(true, tls.getRequireClientCertificate().getValue(), "clients must present a certificate");
        assertEquals(
                "client-ca/apps/gw/default",
                tls.getCommonTlsContext()
                        .getCombinedValidationContext()
                        .getValidationContextSdsSecretConfig()
                        .getName());
        assertEquals(List.of(), leaks);
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void anExpiredCertificateIsStillServed(AdsClient.Protocol protocol) {
        XdsShard shard = harness.startShard(0, 1, 0, Map.of());
        harness.gatewayWithRoutes("apps", "gw", 1);
        Instant now = Instant.now();
        var ca = CertificateAuthority.create("test", now.minus(Duration.ofDays(30)), Duration.ofDays(60));
        var expired = ca.issueServing(List.of("a.example.com"), now.minus(Duration.ofDays(20)), Duration.ofDays(10));
        harness.apply(new SecretBuilder()
                .withNewMetadata()
                .withName("old")
                .withNamespace("apps")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToStringData("tls.crt", expired.certificatePem())
                .addToStringData("tls.key", expired.keyPem())
                .build());
        harness.apply(new GatewayBuilder()
                .withNewMetadata()
                .withName("gw")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .addNewListener()
                .withName("https")
                .withPort(443)
                .withProtocol("HTTPS")
                .withHostname("a.example.com")
                .withNewTls()
                .addNewCertificateRef()
                .withName("old")
                .endCertificateRef()
                .endTls()
                .endListener()
                .endSpec()
                .build());
        AdsClient proxy =
                AdsClient.connect("127.0.0.1", shard.xdsPort(), harness.transport("apps/gw"), "p", "apps/gw", protocol);
        harness.track(proxy);
        Eventually.await(
                TIMEOUT,
                "the HTTPS listener with its expired certificate",
                () -> proxy.names(AdsClient.LISTENER).equals(Set.of("tcp-443"))
                        && proxy.names(AdsClient.SECRET).contains("cert/apps/old")
                        && proxy.warm(),
                () -> proxy.names().toString());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static DownstreamTlsContext unpack(Any any) {
        try {
            return any.unpack(DownstreamTlsContext.class);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    /** Names of resources a proxy received that carry the garbage CA's text: none, ever. */
    private static List<String> watchForGarbage(AdsClient proxy) {
        List<String> leaks = new CopyOnWriteArrayList<>();
        proxy.onResponse(received -> {
            for (String name : received.resourceNames()) {
                var held = proxy.held(received.typeUrl(), name);
                if (held != null
                        && held.getValue().toString(StandardCharsets.ISO_8859_1).contains(GARBAGE_MARK)) {
                    leaks.add(received.typeUrl() + " " + name);
                }
            }
        });
        return leaks;
    }

    private void tlsBackend(String name) {
        harness.apply(new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("https")
                .withPort(443)
                .endPort()
                .endSpec()
                .build());
        harness.apply(new EndpointSliceBuilder()
                .withNewMetadata()
                .withName(name + "-1")
                .withNamespace("apps")
                .addToLabels("kubernetes.io/service-name", name)
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort()
                .withName("https")
                .withPort(8443)
                .endPort()
                .addNewEndpoint()
                .withAddresses("10.2.0.1")
                .endEndpoint()
                .build());
    }

    private static String routes(AdsClient client) {
        RouteConfiguration table = client.resource(AdsClient.ROUTE, "http-80", RouteConfiguration.class);
        return table == null ? "" : table.toString();
    }
}
