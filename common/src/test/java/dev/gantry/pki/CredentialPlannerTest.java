package dev.gantry.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.gantry.config.GantrySettings;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialPlannerTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private final CredentialPlanner planner = new CredentialPlanner(
            "gantry-system",
            "gantry-ca",
            "gantry-xds-serving",
            List.of("localhost", "127.0.0.1"),
            Duration.ofHours(24),
            Duration.ofDays(30));
    private final CertificateAuthority ca = planner.ca(null, NOW).value();

    @Test
    void aMissingCaIsCreatedAndAGoodOneKept() {
        CredentialPlanner.Plan<CertificateAuthority> created = planner.ca(null, NOW);
        assertEquals(CredentialPlanner.Reason.MISSING, created.reason());
        Secret written = stored(created.write(), "1");
        assertEquals("gantry-ca", written.getMetadata().getName());
        assertEquals("gantry-system", written.getMetadata().getNamespace());
        assertEquals(
                CredentialSecrets.LABEL_CA, written.getMetadata().getLabels().get(CredentialSecrets.LABEL));
        CredentialPlanner.Plan<CertificateAuthority> kept = planner.ca(written, NOW.plusSeconds(3600));
        assertNull(kept.write());
        assertEquals(created.value().certificate(), kept.value().certificate());
        Secret broken = new SecretBuilder(written)
                .withData(Map.of("tls.crt", CredentialSecrets.data("junk")))
                .build();
        CredentialPlanner.Plan<CertificateAuthority> replaced = planner.ca(broken, NOW);
        assertEquals(CredentialPlanner.Reason.UNUSABLE, replaced.reason(), replaced.why());
        assertEquals("1", replaced.write().getMetadata().getResourceVersion(), "an update replaces what it read");
    }

    @Test
    void theServingCertificateIsRenewedAtTwoThirdsAndWhenItsNamesChange() throws Exception {
        CredentialPlanner.Plan<KeyedCertificate> issued = planner.serving(ca, null, NOW);
        Secret stored = stored(issued.write(), "7");
        assertEquals(
                Pem.certificates(List.of(ca.certificate())), CredentialSecrets.text(stored, CredentialSecrets.CA_CRT));
        assertNull(planner.serving(ca, stored, NOW.plus(Duration.ofDays(19))).write());
        assertEquals(NOW.plus(Duration.ofDays(20)), planner.servingRenewAt(issued.value()));
        CredentialPlanner.Plan<KeyedCertificate> renewed = planner.serving(ca, stored, NOW.plus(Duration.ofDays(20)));
        assertEquals(CredentialPlanner.Reason.RENEWAL, renewed.reason(), renewed.why());
        assertNotEquals(issued.value().serial(), renewed.value().serial());
        CredentialPlanner moved = new CredentialPlanner(
                "gantry-system",
                "gantry-ca",
                "gantry-xds-serving",
                List.of("xds.example.com", "::1"),
                Duration.ofHours(24),
                Duration.ofDays(30));
        CredentialPlanner.Plan<KeyedCertificate> renamed = moved.serving(ca, stored, NOW);
        assertEquals(CredentialPlanner.Reason.NAMES_CHANGED, renamed.reason(), renamed.why());
        // Addresses compare in any spelling, so a certificate for ::1 is not issued again on every pass.
        assertNull(moved.serving(ca, stored(renamed.write(), "8"), NOW).write());
        CertificateAuthority other = planner.ca(null, NOW).value();
        assertEquals(
                CredentialPlanner.Reason.OTHER_CA,
                planner.serving(other, stored, NOW).reason());
    }

    @Test
    void aProxyCredentialListsItsPredecessorUntilThatExpires() {
        Gateway gateway = gateway("uid-1");
        CredentialPlanner.Plan<KeyedCertificate> first = planner.proxyCredential(ca, gateway, null, NOW);
        Secret stored = stored(first.write(), "3");
        assertEquals("gantry-shared-xds", stored.getMetadata().getName());
        assertEquals("infra", stored.getMetadata().getNamespace());
        assertEquals(new ObjectKey("infra", "shared"), CredentialSecrets.gatewayOf(stored));
        assertEquals(
                "uid-1", stored.getMetadata().getOwnerReferences().getFirst().getUid());
        assertEquals(List.of(first.value().serial()), serials(stored));
        assertNull(planner.proxyCredential(ca, gateway, stored, NOW.plus(Duration.ofHours(11)))
                .write());
        assertEquals(NOW.plus(Duration.ofHours(12)), planner.proxyRenewAt(first.value()));

        CredentialPlanner.Plan<KeyedCertificate> second =
                planner.proxyCredential(ca, gateway, stored, NOW.plus(Duration.ofHours(12)));
        Secret renewed = stored(second.write(), "4");
        assertEquals(List.of(second.value().serial(), first.value().serial()), serials(renewed));
        // At the next renewal the first has expired and leaves the list.
        CredentialPlanner.Plan<KeyedCertificate> third = planner.proxyCredential(
                ca, gateway, renewed, NOW.plus(Duration.ofHours(24).plusMinutes(1)));
        assertEquals(List.of(third.value().serial(), second.value().serial()), serials(third.write()));
    }

    @Test
    void aRecreatedGatewayOrANewCaStartsAFreshList() {
        Secret stored =
                stored(planner.proxyCredential(ca, gateway("uid-1"), null, NOW).write(), "3");
        CredentialPlanner.Plan<KeyedCertificate> recreated = planner.proxyCredential(ca, gateway("uid-2"), stored, NOW);
        assertEquals(CredentialPlanner.Reason.OTHER_GATEWAY, recreated.reason(), recreated.why());
        assertEquals(List.of(recreated.value().serial()), serials(recreated.write()));
        assertEquals(
                "uid-2",
                recreated.write().getMetadata().getOwnerReferences().getFirst().getUid());
        CertificateAuthority other = planner.ca(null, NOW).value();
        CredentialPlanner.Plan<KeyedCertificate> rekeyed =
                planner.proxyCredential(other, gateway("uid-1"), stored, NOW);
        assertEquals(CredentialPlanner.Reason.OTHER_CA, rekeyed.reason());
        assertEquals(List.of(rekeyed.value().serial()), serials(rekeyed.write()));
    }

    @Test
    void editedMetadataIsPutBackWithoutANewCertificate() {
        Gateway gateway = gateway("uid-1");
        CredentialPlanner.Plan<KeyedCertificate> first = planner.proxyCredential(ca, gateway, null, NOW);
        Secret stored = stored(first.write(), "3");
        Secret edited = new SecretBuilder(stored)
                .editMetadata()
                .removeFromAnnotations(CredentialSecrets.SERIALS)
                .endMetadata()
                .build();
        CredentialPlanner.Plan<KeyedCertificate> repaired = planner.proxyCredential(ca, gateway, edited, NOW);
        assertEquals(CredentialPlanner.Reason.METADATA, repaired.reason());
        assertEquals(first.value().serial(), repaired.value().serial());
        assertEquals(List.of(first.value().serial()), serials(repaired.write()));
    }

    @Test
    void servingNamesFollowTheChartOrLoopback() {
        GantrySettings cluster = GantrySettings.fromEnvironment(Map.of(
                "GANTRY_NAMESPACE",
                "gantry-system",
                "GANTRY_SHARD_SERVICE",
                "gantry-xds-shards",
                "GANTRY_XDS_SERVICE",
                "gantry-xds",
                "GANTRY_XDS_SERVING_NAMES",
                "xds.example.com, 10.0.0.7"));
        assertEquals(
                List.of(
                        "*.gantry-xds-shards.gantry-system.svc.cluster.local",
                        "*.gantry-xds-shards.gantry-system.svc",
                        "gantry-xds.gantry-system.svc.cluster.local",
                        "gantry-xds.gantry-system.svc",
                        "xds.example.com",
                        "10.0.0.7"),
                CredentialPlanner.servingNames(cluster));
        assertEquals(
                List.of("localhost", "127.0.0.1"),
                CredentialPlanner.servingNames(GantrySettings.fromEnvironment(Map.of())));
    }

    private static Gateway gateway(String uid) {
        return new GatewayBuilder()
                .withNewMetadata()
                .withNamespace("infra")
                .withName("shared")
                .withUid(uid)
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .endSpec()
                .build();
    }

    /** The Secret as the API server would return it after the write. */
    private static Secret stored(Secret written, String resourceVersion) {
        assertNotNull(written);
        return new SecretBuilder(written)
                .editMetadata()
                .withResourceVersion(resourceVersion)
                .endMetadata()
                .build();
    }

    private static List<BigInteger> serials(Secret secret) {
        return List.copyOf(CredentialSecrets.parseSerials(
                        secret.getMetadata().getAnnotations().get(CredentialSecrets.SERIALS))
                .keySet());
    }
}
