package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.pki.CertificateAuthority;
import dev.gantry.testing.Eventually;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Listeners of one Gateway that cannot be told apart: the spec forbids picking a winner, so every one of them is
 * Conflicted and not accepted, and the Gateway says which are conflicted and which are accepted.
 */
class ListenerConflictTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private ControllerHarness harness;

    @BeforeEach
    void start() {
        harness = ControllerHarness.withController();
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @Test
    void twoProtocolsOnOnePortAreBothConflictedAndTheOtherListenersStay() {
        GatewaySpecBuilder spec = spec();
        spec.addNewListener().withName("web").withPort(80).withProtocol("HTTP").endListener();
        spec.addNewListener().withName("raw").withPort(80).withProtocol("TCP").endListener();
        spec.addNewListener()
                .withName("other")
                .withPort(8080)
                .withProtocol("HTTP")
                .endListener();
        Gateway gateway = apply("mixed", spec);

        assertConflicted(gateway, "web", "ProtocolConflict");
        assertConflicted(gateway, "raw", "ProtocolConflict");
        assertEquals(
                "True",
                condition(listener(gateway, "other").getConditions(), "Accepted")
                        .getStatus());
        Condition accepted = condition(gateway.getStatus().getConditions(), "Accepted");
        assertEquals("True", accepted.getStatus());
        assertEquals("ListenersNotValid", accepted.getReason());
        assertTrue(
                accepted.getMessage().contains("'web' ProtocolConflict, 'raw' ProtocolConflict; accepted: 'other'"),
                accepted.getMessage());
    }

    @Test
    void oneHostnameTwiceOnOnePortConflictsBothWhileAnotherHostnameIsAccepted() {
        GatewaySpecBuilder spec = spec();
        spec.addNewListener()
                .withName("first")
                .withPort(80)
                .withProtocol("HTTP")
                .withHostname("a.example.com")
                .endListener();
        spec.addNewListener()
                .withName("second")
                .withPort(80)
                .withProtocol("HTTP")
                .withHostname("a.example.com")
                .endListener();
        spec.addNewListener()
                .withName("b")
                .withPort(80)
                .withProtocol("HTTP")
                .withHostname("b.example.com")
                .endListener();
        spec.addNewListener()
                .withName("pass-1")
                .withPort(443)
                .withProtocol("TLS")
                .withHostname("c.example.com")
                .withNewTls()
                .withMode("Passthrough")
                .endTls()
                .endListener();
        spec.addNewListener()
                .withName("pass-2")
                .withPort(443)
                .withProtocol("TLS")
                .withHostname("c.example.com")
                .withNewTls()
                .withMode("Passthrough")
                .endTls()
                .endListener();
        // The CRDs' CEL rule refuses two listeners with the same port, protocol and hostname; a Gateway stored without
        // it (CRDs older than the rule, or a server that does not enforce it) can still hold them, and the controller
        // must not pick a winner among them then either. So this one Gateway goes around the API's validation.
        harness.api.admitWithoutValidation(true);
        Gateway gateway;
        try {
            gateway = apply("hosts", spec);
        } finally {
            harness.api.admitWithoutValidation(false);
        }

        assertConflicted(gateway, "first", "HostnameConflict");
        assertConflicted(gateway, "second", "HostnameConflict");
        assertConflicted(gateway, "pass-1", "HostnameConflict");
        assertConflicted(gateway, "pass-2", "HostnameConflict");
        assertEquals(
                "True",
                condition(listener(gateway, "b").getConditions(), "Accepted").getStatus());
        assertEquals(
                "ListenersNotValid",
                condition(gateway.getStatus().getConditions(), "Accepted").getReason());
    }

    @Test
    void aGatewayWhoseListenersAllConflictIsNotAccepted() {
        GatewaySpecBuilder spec = spec();
        spec.addNewListener().withName("web").withPort(80).withProtocol("HTTP").endListener();
        spec.addNewListener().withName("raw").withPort(80).withProtocol("TCP").endListener();
        Gateway gateway = apply("only-conflicts", spec);

        Condition accepted = condition(gateway.getStatus().getConditions(), "Accepted");
        assertEquals("False", accepted.getStatus());
        assertEquals("ListenersNotValid", accepted.getReason());
        assertEquals(
                "False",
                condition(gateway.getStatus().getConditions(), "Programmed").getStatus());
    }

    @Test
    void tlsListenersWhoseHostnamesOverlapSaySoAcrossTheGatewayAndItsListenerSets() {
        // Certificates that do not overlap one another: the hostnames alone overlap.
        certificate("api", "api.example.com");
        certificate("foo", "foo.example.com");
        certificate("other", "a.other.com");
        GatewaySpecBuilder spec = spec().withNewAllowedListeners()
                .withNewNamespaces()
                .withFrom("Same")
                .endNamespaces()
                .endAllowedListeners();
        https(spec, "wildcard", "*.example.com", "api");
        https(spec, "foo", "foo.example.com", "foo");
        https(spec, "elsewhere", "a.other.com", "other");
        Gateway gateway = apply("tls", spec);

        assertOverlapping(listener(gateway, "wildcard").getConditions(), "OverlappingHostnames");
        assertOverlapping(listener(gateway, "foo").getConditions(), "OverlappingHostnames");
        assertTrue(
                listener(gateway, "elsewhere").getConditions().stream()
                        .noneMatch(c -> c.getType().equals("OverlappingTLSConfig")),
                "a.other.com overlaps nothing");

        certificate("team", "team.example.com");
        harness.apply(new ListenerSetBuilder()
                .withNewMetadata()
                .withName("team")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .withNewParentRef()
                .withName("tls")
                .endParentRef()
                .addNewListener()
                .withName("team")
                .withPort(443)
                .withProtocol("HTTPS")
                .withHostname("team.example.com")
                .withNewTls()
                .addNewCertificateRef()
                .withName("team")
                .endCertificateRef()
                .endTls()
                .endListener()
                .endSpec()
                .build());
        Eventually.await(
                TIMEOUT,
                "the ListenerSet's listener overlaps the Gateway's wildcard",
                () -> setListenerOverlap("team", "OverlappingHostnames", "*.example.com"));
    }

    @Test
    void tlsListenersWhoseCertificatesOverlapSaySoAcrossTheGatewayAndItsListenerSets() {
        // One wildcard certificate for two hostnames that do not overlap, and a ListenerSet's certificate for a name
        // the wildcard covers; a name two labels down is not covered.
        certificate("wildcard", "*.example.com");
        certificate("team", "team.example.com");
        certificate("deep", "x.deep.example.com");
        GatewaySpecBuilder spec = spec().withNewAllowedListeners()
                .withNewNamespaces()
                .withFrom("Same")
                .endNamespaces()
                .endAllowedListeners();
        https(spec, "a", "a.example.com", "wildcard");
        https(spec, "b", "b.example.com", "wildcard");
        https(spec, "deep", "x.deep.example.com", "deep");
        Gateway gateway = apply("certs", spec);

        assertOverlapping(listener(gateway, "a").getConditions(), "OverlappingCertificates");
        assertOverlapping(listener(gateway, "b").getConditions(), "OverlappingCertificates");
        assertTrue(condition(listener(gateway, "a").getConditions(), "OverlappingTLSConfig")
                .getMessage()
                .contains("for *.example.com overlaps the certificate of Gateway apps/certs listener 'b'"));
        assertTrue(
                listener(gateway, "deep").getConditions().stream()
                        .noneMatch(c -> c.getType().equals("OverlappingTLSConfig")),
                "a wildcard covers one label only");

        harness.apply(new ListenerSetBuilder()
                .withNewMetadata()
                .withName("team")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .withNewParentRef()
                .withName("certs")
                .endParentRef()
                .addNewListener()
                .withName("team")
                .withPort(443)
                .withProtocol("HTTPS")
                .withHostname("team.example.com")
                .withNewTls()
                .addNewCertificateRef()
                .withName("team")
                .endCertificateRef()
                .endTls()
                .endListener()
                .endSpec()
                .build());
        Eventually.await(
                TIMEOUT,
                "the ListenerSet's certificate overlaps the Gateway's wildcard certificate",
                () -> setListenerOverlap("team", "OverlappingCertificates", "*.example.com"));
    }

    private boolean setListenerOverlap(String set, String reason, String naming) {
        var current = harness.client
                .resources(ListenerSet.class)
                .inNamespace("apps")
                .withName(set)
                .get();
        return current != null
                && current.getStatus() != null
                && current.getStatus().getListeners() != null
                && current.getStatus().getListeners().stream()
                        .flatMap(l -> l.getConditions().stream())
                        .anyMatch(c -> c.getType().equals("OverlappingTLSConfig")
                                && c.getReason().equals(reason)
                                && c.getMessage().contains(naming));
    }

    private void certificate(String name, String dnsName) {
        var ca = CertificateAuthority.create("test", Instant.now(), Duration.ofDays(1));
        var certificate = ca.issueServing(List.of(dnsName), Instant.now(), Duration.ofDays(1));
        harness.apply(new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToStringData("tls.crt", certificate.certificatePem())
                .addToStringData("tls.key", certificate.keyPem())
                .build());
    }

    private static void https(GatewaySpecBuilder spec, String name, String hostname, String secret) {
        spec.addNewListener()
                .withName(name)
                .withPort(443)
                .withProtocol("HTTPS")
                .withHostname(hostname)
                .withNewTls()
                .addNewCertificateRef()
                .withName(secret)
                .endCertificateRef()
                .endTls()
                .endListener();
    }

    private static void assertOverlapping(List<Condition> conditions, String reason) {
        Condition overlapping = condition(conditions, "OverlappingTLSConfig");
        assertEquals("True", overlapping.getStatus());
        assertEquals(reason, overlapping.getReason());
    }

    private static GatewaySpecBuilder spec() {
        return new GatewaySpecBuilder()
                .withGatewayClassName("gantry")
                .addNewAddress()
                .withType("IPAddress")
                .withValue("10.0.0.1")
                .endAddress();
    }

    /** Applies the Gateway and waits for status of its generation with a status for every listener. */
    private Gateway apply(String name, GatewaySpecBuilder spec) {
        Gateway gateway = new GatewayBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
                .endMetadata()
                .withSpec(spec.build())
                .build();
        harness.apply(gateway);
        int listeners = gateway.getSpec().getListeners().size();
        Eventually.await(TIMEOUT, "status of Gateway " + name, () -> {
            Gateway current = harness.client
                    .resources(Gateway.class)
                    .inNamespace("apps")
                    .withName(name)
                    .get();
            return current.getStatus() != null
                    && current.getStatus().getListeners() != null
                    && current.getStatus().getListeners().size() == listeners
                    && current.getStatus().getConditions().stream()
                            .anyMatch(c -> c.getType().equals("Accepted"));
        });
        return harness.client
                .resources(Gateway.class)
                .inNamespace("apps")
                .withName(name)
                .get();
    }

    private static void assertConflicted(Gateway gateway, String name, String reason) {
        List<Condition> conditions = listener(gateway, name).getConditions();
        assertEquals("False", condition(conditions, "Accepted").getStatus(), name);
        assertEquals(reason, condition(conditions, "Accepted").getReason(), name);
        assertEquals("True", condition(conditions, "Conflicted").getStatus(), name);
        assertEquals(reason, condition(conditions, "Conflicted").getReason(), name);
        assertEquals("False", condition(conditions, "Programmed").getStatus(), name);
    }

    private static ListenerStatus listener(Gateway gateway, String name) {
        return gateway.getStatus().getListeners().stream()
                .filter(l -> l.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no status for listener " + name));
    }

    private static Condition condition(List<Condition> conditions, String type) {
        return conditions.stream()
                .filter(c -> c.getType().equals(type))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " condition in " + conditions));
    }
}
