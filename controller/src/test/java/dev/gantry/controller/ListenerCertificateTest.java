package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.pki.CertificateAuthority;
import dev.gantry.pki.KeyedCertificate;
import dev.gantry.testing.Eventually;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A certificate Secret whose key does not belong to its certificate makes its listener
 * {@code ResolvedRefs=False/InvalidCertificateRef} saying so, and the listener is not programmed: Envoy would refuse
 * the whole Listener that carried it, with every other filter chain on the port.
 */
class ListenerCertificateTest {

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
    void aKeyOfAnotherCertificateIsAnInvalidCertificateRefAndTheListenerIsNotProgrammed() {
        CertificateAuthority ca = CertificateAuthority.create("test", Instant.now(), Duration.ofDays(1));
        KeyedCertificate served = ca.issueServing(List.of("a.example.com"), Instant.now(), Duration.ofDays(1));
        KeyedCertificate other = ca.issueServing(List.of("a.example.com"), Instant.now(), Duration.ofDays(1));
        harness.apply(new SecretBuilder()
                .withNewMetadata()
                .withName("mismatched")
                .withNamespace("apps")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToStringData("tls.crt", served.certificatePem())
                .addToStringData("tls.key", other.keyPem())
                .build());
        harness.apply(new GatewayBuilder()
                .withNewMetadata()
                .withName("gw")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .addNewAddress()
                .withType("IPAddress")
                .withValue("10.0.0.1")
                .endAddress()
                .addNewListener()
                .withName("https")
                .withPort(443)
                .withProtocol("HTTPS")
                .withHostname("a.example.com")
                .withNewTls()
                .addNewCertificateRef()
                .withName("mismatched")
                .endCertificateRef()
                .endTls()
                .endListener()
                .endSpec()
                .build());

        Eventually.await(
                TIMEOUT,
                "the listener says its certificate is unusable",
                () -> {
                    Condition refs = condition("ResolvedRefs");
                    return refs != null
                            && refs.getStatus().equals("False")
                            && refs.getReason().equals("InvalidCertificateRef");
                },
                () -> String.valueOf(condition("ResolvedRefs")));
        assertTrue(
                condition("ResolvedRefs").getMessage().contains("tls.key does not belong to the certificate"),
                condition("ResolvedRefs").getMessage());
        assertTrue(condition("Programmed").getStatus().equals("False"));
        assertTrue(!condition("ResolvedRefs").getMessage().contains("PRIVATE KEY"));
    }

    private Condition condition(String type) {
        Gateway gateway = harness.client
                .resources(Gateway.class)
                .inNamespace("apps")
                .withName("gw")
                .get();
        if (gateway == null
                || gateway.getStatus() == null
                || gateway.getStatus().getListeners() == null) {
            return null;
        }
        return gateway.getStatus().getListeners().stream()
                .filter(l -> l.getName().equals("https"))
                .map(ListenerStatus::getConditions)
                .flatMap(List::stream)
                .filter(c -> c.getType().equals(type))
                .findFirst()
                .orElse(null);
    }
}
