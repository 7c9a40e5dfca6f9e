package dev.gantry.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.ObjectKey;
import dev.gantry.pki.CertificateAuthority;
import dev.gantry.pki.CredentialPlanner;
import dev.gantry.pki.CredentialSecrets;
import dev.gantry.pki.KeyedCertificate;
import dev.gantry.pki.Pem;
import dev.gantry.pki.ProxyIdentity;
import dev.gantry.testing.Eventually;
import dev.gantry.translate.TestPem;
import dev.gantry.xds.client.AdsClient;
import dev.gantry.xds.client.ClientCredentials;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.grpc.Status;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every xDS stream is authenticated before anything is sent, over real gRPC with TLS: each way in that must fail
 * gets its gRPC status and not one resource; a good credential gets its own Gateway's configuration and secrets
 * only, for as long as the credential is good.
 */
class XdsAuthenticationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private ShardHarness harness;
    private XdsShard shard;

    @BeforeEach
    void start() {
        harness = new ShardHarness();
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    private void world(Map<String, String> settings) {
        shard = harness.startShard(0, 1, 0, settings);
        for (String team : List.of("team-a", "team-b")) {
            harness.gatewayWithRoutes(team, "gw", 1);
            harness.apply(tlsSecret(team, team + "-tls"));
            harness.apply(new GatewayBuilder()
                    .withNewMetadata()
                    .withName("gw")
                    .withNamespace(team)
                    .endMetadata()
                    .withNewSpec()
                    .withGatewayClassName("gantry")
                    .addNewListener()
                    .withName("http")
                    .withPort(80)
                    .withProtocol("HTTP")
                    .endListener()
                    .addNewListener()
                    .withName("https")
                    .withPort(443)
                    .withProtocol("HTTPS")
                    .withHostname(team + ".example.com")
                    .withNewTls()
                    .addNewCertificateRef()
                    .withName(team + "-tls")
                    .endCertificateRef()
                    .endTls()
                    .endListener()
                    .endSpec()
                    .build());
        }
    }

    private AdsClient connect(AdsClient.Transport transport, String gateway, AdsClient.Protocol protocol) {
        AdsClient client = AdsClient.connect("127.0.0.1", shard.xdsPort(), transport, "proxy", gateway, protocol);
        harness.track(client);
        return client;
    }

    /**
     * A proxy that connects again when refused, as Envoy does, until it is configured: the shard reads a renewed
     * credential Secret through an informer of its own, which may trail the informer that carried a later change.
     */
    private AdsClient connectUntilWarm(AdsClient.Transport transport, String gateway, AdsClient.Protocol protocol) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            AdsClient client = connect(transport, gateway, protocol);
            Eventually.await(
                    TIMEOUT,
                    "configured or refused",
                    () -> client.warm() || client.closed().isDone());
            if (client.warm()) {
                return client;
            }
            assertTrue(
                    System.nanoTime() < deadline,
                    "refused until the deadline: " + client.closed().join());
        }
    }

    /** The stream's end: its status, after checking that not one response arrived before it. */
    private static Status refused(AdsClient client) throws Exception {
        Status status = client.closed().get(15, TimeUnit.SECONDS);
        assertEquals(0, client.responses(), "nothing is sent on a refused stream");
        assertEquals(0, client.resourceCount());
        return status;
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void everyWayInWithoutAGoodCredentialGetsItsStatusAndNothingElse(AdsClient.Protocol protocol) throws Exception {
        world(Map.of());
        String ca = Pem.certificates(List.of(harness.ca.certificate()));

        Status plaintext = refused(connect(new AdsClient.Transport.Plaintext(), "team-a/gw", protocol));
        assertEquals(Status.Code.UNAVAILABLE, plaintext.getCode(), plaintext.toString());

        Status anonymous = refused(connect(
                new AdsClient.Transport.Tls(() -> new ClientCredentials(ca, null, null), null), "team-a/gw", protocol));
        assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getCode());
        assertTrue(anonymous.getDescription().startsWith("no client certificate"), anonymous.getDescription());

        Gateway a = gateway("team-a");
        ProxyIdentity identityA =
                new ProxyIdentity(ObjectKey.of(a), a.getMetadata().getUid());
        CertificateAuthority foreign =
                CertificateAuthority.create(CredentialPlanner.CA_COMMON_NAME, Instant.now(), Duration.ofDays(1));
        Status untrusted = refused(connect(
                transport(foreign.issueProxy(identityA, Instant.now(), Duration.ofHours(1))), "team-a/gw", protocol));
        assertEquals(Status.Code.UNAUTHENTICATED, untrusted.getCode());
        assertTrue(untrusted.getDescription().contains("not issued by this Gantry's CA"), untrusted.getDescription());

        KeyedCertificate expired =
                harness.ca.issueProxy(identityA, Instant.now().minus(Duration.ofHours(2)), Duration.ofHours(1));
        Status tooLate = refused(connect(transport(expired), "team-a/gw", protocol));
        assertEquals(Status.Code.UNAUTHENTICATED, tooLate.getCode());
        assertTrue(tooLate.getDescription().contains("expired"), tooLate.getDescription());

        // The shards' own certificate is from the same CA, but is no proxy credential.
        Secret servingSecret = harness.client
                .secrets()
                .inNamespace("gantry-system")
                .withName("gantry-xds-serving")
                .get();
        KeyedCertificate serving = KeyedCertificate.fromPem(
                CredentialSecrets.text(servingSecret, "tls.crt"), CredentialSecrets.text(servingSecret, "tls.key"));
        Status notAProxy = refused(connect(transport(serving), "team-a/gw", protocol));
        assertEquals(Status.Code.UNAUTHENTICATED, notAProxy.getCode());
        assertTrue(notAProxy.getDescription().contains("not a client certificate"), notAProxy.getDescription());

        Status claimsB = refused(connect(harness.transport("team-a/gw"), "team-b/gw", protocol));
        assertEquals(Status.Code.PERMISSION_DENIED, claimsB.getCode());
        assertEquals(
                "the credential of Gateway team-a/gw cannot ask for Gateway team-b/gw (node metadata"
                        + " 'gantry.dev/gateway')",
                claimsB.getDescription());

        // A Gateway that was deleted and created again under the same name: the old credential names the old uid.
        ProxyIdentity stale = new ProxyIdentity(ObjectKey.of(a), "0000-deleted-gateway");
        Status replaced = refused(connect(
                transport(harness.ca.issueProxy(stale, Instant.now(), Duration.ofHours(1))), "team-a/gw", protocol));
        assertEquals(Status.Code.UNAUTHENTICATED, replaced.getCode());
        assertTrue(replaced.getDescription().contains("deleted and created again"), replaced.getDescription());

        // A good certificate whose serial the Gateway's credential Secret does not list (revoked).
        KeyedCertificate unlisted = harness.ca.issueProxy(identityA, Instant.now(), Duration.ofHours(1));
        Status revoked = refused(connect(transport(unlisted), "team-a/gw", protocol));
        assertEquals(Status.Code.UNAUTHENTICATED, revoked.getCode());
        assertTrue(revoked.getDescription().contains("is not among the current credentials"), revoked.getDescription());

        String metrics = metrics();
        for (String reason : List.of(
                "no_certificate",
                "untrusted",
                "expired",
                "not_a_proxy_credential",
                "gateway_mismatch",
                "gateway_replaced",
                "revoked")) {
            assertTrue(
                    metrics.contains("gantry_xds_auth_failures_total{reason=\"" + reason + "\",shard=\"0\"} 1.0"),
                    reason + " in\n" + metrics);
        }
        // And the credential that is good gets its configuration.
        AdsClient good = connect(harness.transport("team-a/gw"), "team-a/gw", protocol);
        Eventually.await(
                TIMEOUT,
                "configured",
                () -> good.warm() && good.names(AdsClient.SECRET).equals(Set.of("cert/team-a/team-a-tls")));
        // A refused credential loses its connection too; a good one claiming the wrong Gateway keeps it.
        Eventually.await(
                TIMEOUT,
                "only the good connection and the one refused for its metadata left open",
                () -> shard.openConnections() == 2,
                () -> Integer.toString(shard.openConnections()));
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void aProxyGetsOnlyItsOwnGatewaysSecretsWhateverItAsksFor(AdsClient.Protocol protocol) {
        world(Map.of());
        AdsClient a = connect(harness.transport("team-a/gw"), "team-a/gw", protocol);
        Eventually.await(
                TIMEOUT,
                "configured",
                () -> a.warm() && !a.names(AdsClient.SECRET).isEmpty());
        List<String> received = new CopyOnWriteArrayList<>();
        a.onResponse(response -> received.addAll(response.resourceNames()));
        a.requestAlso(AdsClient.SECRET, Set.of("cert/team-b/team-b-tls"));
        sleep(1000);
        assertEquals(Set.of("cert/team-a/team-a-tls"), a.names(AdsClient.SECRET));
        assertFalse(received.contains("cert/team-b/team-b-tls"), received.toString());
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void deletingAGatewayEndsItsStreamsAtOnce(AdsClient.Protocol protocol) throws Exception {
        world(Map.of());
        KeyedCertificate credential = harness.credential(gateway("team-a"));
        AdsClient a = connect(harness.transport("team-a/gw"), "team-a/gw", protocol);
        Eventually.await(TIMEOUT, "configured", () -> a.warm());
        long deleted = System.nanoTime();
        harness.client
                .resources(Gateway.class)
                .inNamespace("team-a")
                .withName("gw")
                .delete();
        Status status = a.closed().get(15, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - deleted) / 1_000_000;
        assertEquals(Status.Code.UNAUTHENTICATED, status.getCode());
        assertTrue(status.getDescription().contains("does not exist"), status.getDescription());
        // The bound named in the README: the shard ends the streams as soon as its informer sees the deletion.
        assertTrue(millis < 2000, "ended " + millis + " ms after the deletion");
        assertTrue(metrics()
                .contains("gantry_xds_streams_ended_by_credential_total{reason=\"gateway_deleted\","
                        + "shard=\"0\"} 1.0"));
        // The credential is useless from then on.
        Status again = refused(connect(transport(credential), "team-a/gw", protocol));
        assertEquals(Status.Code.UNAUTHENTICATED, again.getCode());
        assertTrue(again.getDescription().contains("does not exist"), again.getDescription());
    }

    @ParameterizedTest
    @EnumSource(AdsClient.Protocol.class)
    void aRenewedCredentialKeepsConnectedProxiesAndADeletedSecretRevokesTheOld(AdsClient.Protocol protocol)
            throws Exception {
        world(Map.of());
        Gateway a = gateway("team-a");
        KeyedCertificate first = harness.credential(a);
        AdsClient proxy = connect(harness.transport("team-a/gw"), "team-a/gw", protocol);
        Eventually.await(TIMEOUT, "configured", () -> proxy.warm());
        AtomicInteger lost = new AtomicInteger();
        int held = proxy.resourceCount();
        proxy.onResponse(r -> {
            if (proxy.resourceCount() < held) {
                lost.incrementAndGet();
            }
        });
        // Renewal, as the controller does it at half the lifetime: a new certificate, the old one still listed.
        KeyedCertificate second = harness.ca.issueProxy(
                new ProxyIdentity(ObjectKey.of(a), a.getMetadata().getUid()), Instant.now(), Duration.ofHours(24));
        harness.apply(withCredential(credentialSecret("team-a"), second, true));
        harness.apply(ShardHarness.route("team-a", "gw", "r0", "/after-renewal"));
        Eventually.await(
                TIMEOUT,
                "changes still reach the proxy on its first credential",
                () -> routes(proxy).contains("/after-renewal"));
        // A new connection with the renewed credential is accepted too.
        AdsClient renewed = connectUntilWarm(harness.transport(second), "team-a/gw", protocol);
        assertFalse(proxy.closed().isDone());
        // Deleting the credential Secret revokes both; the controller would issue a third, listed alone.
        harness.client.resource(credentialSecret("team-a")).delete();
        Status status = proxy.closed().get(15, TimeUnit.SECONDS);
        assertEquals(Status.Code.UNAUTHENTICATED, status.getCode());
        assertTrue(status.getDescription().contains("is missing"), status.getDescription());
        assertEquals(
                Status.Code.UNAUTHENTICATED,
                renewed.closed().get(15, TimeUnit.SECONDS).getCode());
        Eventually.await(
                TIMEOUT,
                "their connections closed, so the proxies connect again with what they hold now",
                () -> shard.openConnections() == 0,
                () -> Integer.toString(shard.openConnections()));
        assertEquals(0, lost.get(), "the proxy lost nothing while it was connected");
        KeyedCertificate third = harness.credential(a);
        assertFalse(third.serial().equals(first.serial()) || third.serial().equals(second.serial()));
        AdsClient back = connect(harness.transport("team-a/gw"), "team-a/gw", protocol);
        Eventually.await(TIMEOUT, "the reissued credential works", () -> back.warm());
    }

    @Test
    void aStreamEndsWhenItsCertificateExpires() throws Exception {
        world(Map.of());
        Gateway a = gateway("team-a");
        harness.credential(a);
        // A short-lived credential, listed as the controller lists a renewal.
        KeyedCertificate brief = harness.ca.issueProxy(
                new ProxyIdentity(ObjectKey.of(a), a.getMetadata().getUid()), Instant.now(), Duration.ofSeconds(4));
        harness.apply(withCredential(credentialSecret("team-a"), brief, true));
        Eventually.await(TIMEOUT, "the shard knows it", () -> shard.knowsCredential(ObjectKey.of(a), brief.serial()));
        AdsClient proxy = connect(transport(brief), "team-a/gw", AdsClient.Protocol.DELTA);
        Eventually.await(TIMEOUT, "configured", () -> proxy.warm());
        Status status = proxy.closed().get(15, TimeUnit.SECONDS);
        assertEquals(Status.Code.UNAUTHENTICATED, status.getCode());
        assertTrue(status.getDescription().contains("expired"), status.getDescription());
        assertTrue(!Instant.now().isBefore(brief.notAfter()), "not before the certificate's end");
    }

    @Test
    void atTheMaximumAgeAProxyReconnectsAuthenticatesAgainAndKeepsEverything() throws Exception {
        world(Map.of("XDS_MAX_STREAM_AGE", "2s"));
        AdsClient steady = connect(harness.transport("team-a/gw"), "team-a/gw", AdsClient.Protocol.DELTA)
                .autoReconnect(true);
        Eventually.await(TIMEOUT, "configured", () -> steady.warm());
        int held = steady.resourceCount();
        AtomicInteger lost = new AtomicInteger();
        steady.onResponse(r -> {
            if (steady.resourceCount() < held) {
                lost.incrementAndGet();
            }
        });
        Eventually.await(TIMEOUT, "two reconnects at the maximum age", () -> steady.reconnects() >= 2);
        harness.apply(ShardHarness.route("team-a", "gw", "r0", "/after-reconnects"));
        Eventually.await(TIMEOUT, "changes keep arriving", () -> routes(steady).contains("/after-reconnects"));
        assertEquals(0, lost.get());
        assertEquals(held, steady.resourceCount());
    }

    @Test
    void aRenewedServingCertificateServesNewConnectionsWhileOpenOnesGoOn() throws Exception {
        world(Map.of());
        AdsClient before = connect(harness.transport("team-a/gw"), "team-a/gw", AdsClient.Protocol.DELTA);
        Eventually.await(TIMEOUT, "configured", () -> before.warm());
        String firstSerial = shard.servingSerial();
        Secret serving = harness.client
                .secrets()
                .inNamespace("gantry-system")
                .withName("gantry-xds-serving")
                .get();
        KeyedCertificate renewed =
                harness.ca.issueServing(List.of("localhost", "127.0.0.1"), Instant.now(), Duration.ofDays(30));
        harness.apply(withCredential(serving, renewed, false));
        Eventually.await(
                TIMEOUT,
                "the shard serves the renewed certificate",
                () -> shard.servingSerial().equals(renewed.serial().toString(16)));
        assertFalse(firstSerial.equals(shard.servingSerial()));
        AdsClient after = connect(harness.transport("team-a/gw"), "team-a/gw", AdsClient.Protocol.DELTA);
        Eventually.await(TIMEOUT, "a new connection works", () -> after.warm());
        harness.apply(ShardHarness.route("team-a", "gw", "r0", "/after-rotation"));
        Eventually.await(
                TIMEOUT, "the open one still gets changes", () -> routes(before).contains("/after-rotation"));
        assertTrue(
                metrics()
                        .contains("gantry_xds_serving_certificate_expiry_timestamp_seconds{shard=\"0\"} "
                                + (double) renewed.notAfter().getEpochSecond()),
                metrics());
    }

    private Gateway gateway(String namespace) {
        return harness.client
                .resources(Gateway.class)
                .inNamespace(namespace)
                .withName("gw")
                .get();
    }

    private Secret credentialSecret(String namespace) {
        return harness.client
                .secrets()
                .inNamespace(namespace)
                .withName("gantry-gw-xds")
                .get();
    }

    /** The Secret holding this certificate instead, its serial listed beside the others when {@code list}. */
    private static Secret withCredential(Secret secret, KeyedCertificate certificate, boolean list) {
        SecretBuilder builder = new SecretBuilder(secret)
                .addToData(CredentialSecrets.TLS_CRT, CredentialSecrets.data(certificate.certificatePem()))
                .addToData(CredentialSecrets.TLS_KEY, CredentialSecrets.data(certificate.keyPem()));
        if (list) {
            Map<BigInteger, Instant> serials = CredentialSecrets.parseSerials(
                    secret.getMetadata().getAnnotations().get(CredentialSecrets.SERIALS));
            serials.put(certificate.serial(), certificate.notAfter());
            builder.editMetadata()
                    .addToAnnotations(CredentialSecrets.SERIALS, CredentialSecrets.formatSerials(serials))
                    .endMetadata();
        }
        return builder.build();
    }

    private AdsClient.Transport transport(KeyedCertificate credential) {
        return harness.transport(credential);
    }

    private static String routes(AdsClient client) {
        RouteConfiguration table = client.resource(AdsClient.ROUTE, "http-80", RouteConfiguration.class);
        return table == null ? "" : table.toString();
    }

    private String metrics() throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + shard.adminPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static Secret tlsSecret(String namespace, String name) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(Map.of(
                        "tls.crt",
                        CredentialSecrets.data(TestPem.CERTIFICATE),
                        "tls.key",
                        CredentialSecrets.data(TestPem.PRIVATE_KEY)))
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
