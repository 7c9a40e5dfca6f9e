package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.ObjectKey;
import dev.gantry.pki.CredentialSecrets;
import dev.gantry.pki.KeyedCertificate;
import dev.gantry.pki.Pem;
import dev.gantry.pki.PemException;
import dev.gantry.pki.ProxyCertificateVerifier;
import dev.gantry.pki.ProxyIdentity;
import dev.gantry.testing.Eventually;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The leader keeps the xDS plane's Secrets: through informers, the controller and the in-memory API. */
class CredentialIssuerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private ControllerHarness harness;

    @BeforeEach
    void start() {
        harness = new ControllerHarness();
        harness.namespace("infra", Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @Test
    void everyGatewayGetsACredentialOfItsOwnThatTheShardsTrust() throws Exception {
        harness.startController("replica-a", Map.of("PROVISION_PROXIES", "false"));
        harness.apply(gateway("shared"), gateway("other"));
        Secret credential = awaitCredential("shared", s -> true);
        Secret serving = await(ControllerHarness.NAMESPACE, "gantry-xds-serving");
        assertEquals(
                CredentialSecrets.LABEL_SERVING,
                serving.getMetadata().getLabels().get(CredentialSecrets.LABEL));
        assertEquals(
                CredentialSecrets.LABEL_CA,
                await(ControllerHarness.NAMESPACE, "gantry-ca")
                        .getMetadata()
                        .getLabels()
                        .get(CredentialSecrets.LABEL));

        Gateway gateway = harness.client
                .resources(Gateway.class)
                .inNamespace("infra")
                .withName("shared")
                .get();
        KeyedCertificate certificate = keyed(credential);
        List<X509Certificate> trusted =
                Pem.parseCertificates(CredentialSecrets.text(serving, CredentialSecrets.CA_CRT));
        assertEquals(
                trusted,
                Pem.parseCertificates(CredentialSecrets.text(credential, CredentialSecrets.CA_CRT)),
                "proxies get the CA that the shards' certificate chains to");
        var verdict =
                new ProxyCertificateVerifier(trusted).verify(new X509Certificate[] {certificate.leaf()}, Instant.now());
        var accepted = assertInstanceOf(ProxyCertificateVerifier.Verdict.Accepted.class, verdict);
        assertEquals(
                new ProxyIdentity(
                        new ObjectKey("infra", "shared"), gateway.getMetadata().getUid()),
                accepted.identity());
        assertEquals(Set.of(certificate.serial()), serials(credential));
        assertEquals(
                gateway.getMetadata().getUid(),
                credential.getMetadata().getOwnerReferences().getFirst().getUid());
        assertEquals("infra/shared", credential.getMetadata().getAnnotations().get(CredentialSecrets.GATEWAY));
        // The serving certificate is for what standalone shards listen on.
        KeyedCertificate servingCertificate = keyed(serving);
        assertEquals(
                "[[2, localhost], [7, 127.0.0.1]]",
                servingCertificate.leaf().getSubjectAlternativeNames().toString());
        assertNotEquals(keyed(awaitCredential("other", s -> true)).serial(), certificate.serial());
    }

    @Test
    void aDeletedCredentialIsIssuedAgainAndRevokesTheOldOne() {
        harness.startController("replica-a", Map.of("PROVISION_PROXIES", "false"));
        harness.apply(gateway("shared"));
        Secret first = awaitCredential("shared", s -> true);
        BigInteger old = keyed(first).serial();
        harness.client.resource(first).delete();
        Secret second = awaitCredential("shared", s -> !serials(s).contains(old));
        assertEquals(Set.of(keyed(second).serial()), serials(second), "only the new certificate is valid");
    }

    @Test
    void credentialsAreRenewedAtHalfTheirLifetimeAndListTheirPredecessor() {
        harness.startController(
                "replica-a",
                Map.of("PROVISION_PROXIES", "false", "PROXY_CREDENTIAL_TTL", "6s", "XDS_SERVING_CERT_TTL", "6s"));
        harness.apply(gateway("shared"));
        Secret first = awaitCredential("shared", s -> true);
        BigInteger firstSerial = keyed(first).serial();
        BigInteger firstServing =
                keyed(await(ControllerHarness.NAMESPACE, "gantry-xds-serving")).serial();
        Secret renewed = awaitCredential("shared", s -> !keyed(s).serial().equals(firstSerial));
        assertEquals(
                Set.of(keyed(renewed).serial(), firstSerial),
                serials(renewed),
                "the certificate in use stays valid while proxies pick up the new one");
        Eventually.await(
                TIMEOUT,
                "the serving certificate renewed",
                () -> !keyed(await(ControllerHarness.NAMESPACE, "gantry-xds-serving"))
                        .serial()
                        .equals(firstServing));
        // Past the first certificate's expiry, the next renewal drops it from the list.
        Eventually.await(
                TIMEOUT,
                "the expired one leaves the list",
                () -> !serials(awaitCredential("shared", s -> true)).contains(firstSerial));
    }

    @Test
    void aDeletedGatewayLosesItsCredentialAndAForeignSecretIsLeftAlone() {
        harness.startController("replica-a", Map.of("PROVISION_PROXIES", "false"));
        Secret foreign = new SecretBuilder()
                .withNewMetadata()
                .withName("gantry-squatted-xds")
                .withNamespace("infra")
                .endMetadata()
                .withStringData(Map.of("note", "mine"))
                .build();
        harness.apply(foreign, gateway("shared"), gateway("squatted"));
        String version = harness.client
                .secrets()
                .inNamespace("infra")
                .withName("gantry-squatted-xds")
                .get()
                .getMetadata()
                .getResourceVersion();
        awaitCredential("shared", s -> true);
        Eventually.await(
                TIMEOUT,
                "an Event on the Gateway whose Secret name is taken",
                () -> harness.client.v1().events().inNamespace("infra").list().getItems().stream()
                        .anyMatch(e -> e.getReason().equals("CredentialConflict")
                                && e.getInvolvedObject().getName().equals("squatted")));
        Secret untouched = harness.client
                .secrets()
                .inNamespace("infra")
                .withName("gantry-squatted-xds")
                .get();
        assertEquals(
                version,
                untouched.getMetadata().getResourceVersion(),
                "a Secret Gantry did not create is never" + " changed");
        harness.client
                .resources(Gateway.class)
                .inNamespace("infra")
                .withName("shared")
                .delete();
        Eventually.await(
                TIMEOUT,
                "the credential deleted with its Gateway",
                () -> harness.client
                                .secrets()
                                .inNamespace("infra")
                                .withName("gantry-shared-xds")
                                .get()
                        == null);
        assertFalse(harness.client
                        .secrets()
                        .inNamespace("infra")
                        .withName("gantry-squatted-xds")
                        .get()
                == null);
    }

    @Test
    void aConflictingWriteIsTakenUpAgain() {
        harness.api.injectFault("POST", "/namespaces/infra/secrets$", 409, 1);
        harness.startController("replica-a", Map.of("PROVISION_PROXIES", "false"));
        harness.apply(gateway("shared"));
        awaitCredential("shared", s -> true);
    }

    @Test
    void insecureModeIssuesNothing() throws Exception {
        harness.startController("replica-a", Map.of("PROVISION_PROXIES", "false", "XDS_INSECURE", "true"));
        harness.apply(gateway("shared"));
        Eventually.await(TIMEOUT, "the Gateway accepted", () -> {
            Gateway gateway = harness.client
                    .resources(Gateway.class)
                    .inNamespace("infra")
                    .withName("shared")
                    .get();
            return gateway.getStatus() != null
                    && !gateway.getStatus().getConditions().isEmpty();
        });
        Thread.sleep(300);
        assertTrue(harness.client.secrets().inAnyNamespace().list().getItems().isEmpty());
    }

    private Gateway gateway(String name) {
        harness.apply(new GatewayClassBuilder()
                .withNewMetadata()
                .withName("gantry")
                .endMetadata()
                .withNewSpec()
                .withControllerName("gantry.dev/gateway-controller")
                .endSpec()
                .build());
        return new GatewayBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("infra")
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .addNewListener()
                .withName("http")
                .withPort(80)
                .withProtocol("HTTP")
                .endListener()
                .endSpec()
                .build();
    }

    private Secret awaitCredential(String gateway, Predicate<Secret> condition) {
        Secret[] found = new Secret[1];
        Eventually.await(TIMEOUT, "the credential of infra/" + gateway, () -> {
            Secret secret = harness.client
                    .secrets()
                    .inNamespace("infra")
                    .withName("gantry-" + gateway + "-xds")
                    .get();
            found[0] = secret;
            return secret != null && condition.test(secret);
        });
        return found[0];
    }

    private Secret await(String namespace, String name) {
        Secret[] found = new Secret[1];
        Eventually.await(TIMEOUT, "Secret " + namespace + "/" + name, () -> {
            found[0] = harness.client
                    .secrets()
                    .inNamespace(namespace)
                    .withName(name)
                    .get();
            return found[0] != null;
        });
        return found[0];
    }

    private static KeyedCertificate keyed(Secret secret) {
        try {
            return KeyedCertificate.fromPem(
                    CredentialSecrets.text(secret, CredentialSecrets.TLS_CRT),
                    CredentialSecrets.text(secret, CredentialSecrets.TLS_KEY));
        } catch (PemException e) {
            throw new AssertionError(e);
        }
    }

    private static Set<BigInteger> serials(Secret secret) {
        return CredentialSecrets.parseSerials(
                        secret.getMetadata().getAnnotations().get(CredentialSecrets.SERIALS))
                .keySet();
    }
}
