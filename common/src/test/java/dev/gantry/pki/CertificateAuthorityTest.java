package dev.gantry.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.ObjectKey;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private static final ProxyIdentity SHARED =
            new ProxyIdentity(new ObjectKey("infra", "shared"), "0b8f1c2e-5d6a-4b7e-9f10-112233445566");
    private final CertificateAuthority ca = CertificateAuthority.create("Gantry xDS CA", NOW, Duration.ofDays(3650));
    private final ProxyCertificateVerifier verifier = new ProxyCertificateVerifier(List.of(ca.certificate()));

    @Test
    void aProxyCredentialIsAcceptedWithTheGatewayItNames() {
        KeyedCertificate credential = ca.issueProxy(SHARED, NOW, Duration.ofHours(24));
        var verdict = verifier.verify(credential.chain().toArray(X509Certificate[]::new), NOW.plusSeconds(60));
        var accepted = assertInstanceOf(ProxyCertificateVerifier.Verdict.Accepted.class, verdict);
        assertEquals(SHARED, accepted.identity());
        assertEquals(credential.serial(), accepted.serial());
        assertEquals(NOW.plus(Duration.ofHours(24)), accepted.notAfter());
        assertEquals(NOW.minus(CertificateAuthority.CLOCK_SKEW), credential.notBefore());
    }

    @Test
    void refusalsNameTheirReason() {
        KeyedCertificate credential = ca.issueProxy(SHARED, NOW, Duration.ofHours(1));
        X509Certificate[] chain = credential.chain().toArray(X509Certificate[]::new);
        assertRefused(ProxyCertificateVerifier.Reason.NO_CERTIFICATE, verifier.verify(null, NOW));
        assertRefused(ProxyCertificateVerifier.Reason.NO_CERTIFICATE, verifier.verify(new X509Certificate[0], NOW));
        assertRefused(ProxyCertificateVerifier.Reason.EXPIRED, verifier.verify(chain, NOW.plus(Duration.ofHours(2))));
        assertRefused(ProxyCertificateVerifier.Reason.NOT_YET_VALID, verifier.verify(chain, NOW.minusSeconds(3600)));
        // Same name, other key: a CA of another installation, or one an attacker made.
        CertificateAuthority other = CertificateAuthority.create("Gantry xDS CA", NOW, Duration.ofDays(10));
        X509Certificate[] foreign =
                other.issueProxy(SHARED, NOW, Duration.ofHours(1)).chain().toArray(X509Certificate[]::new);
        assertRefused(ProxyCertificateVerifier.Reason.UNTRUSTED, verifier.verify(foreign, NOW));
        // An expired certificate of a foreign CA is foreign first.
        assertRefused(
                ProxyCertificateVerifier.Reason.UNTRUSTED, verifier.verify(foreign, NOW.plus(Duration.ofDays(1))));
        // The shards' serving certificate comes from the same CA but is no proxy credential.
        X509Certificate[] serving = ca.issueServing(List.of("localhost"), NOW, Duration.ofDays(30))
                .chain()
                .toArray(X509Certificate[]::new);
        assertRefused(ProxyCertificateVerifier.Reason.NOT_A_PROXY_CREDENTIAL, verifier.verify(serving, NOW));
        // The CA's own certificate is trusted but names no Gateway.
        assertRefused(
                ProxyCertificateVerifier.Reason.NOT_A_PROXY_CREDENTIAL,
                verifier.verify(new X509Certificate[] {ca.certificate()}, NOW));
    }

    @Test
    void aVerifierTrustingTwoCasAcceptsCredentialsOfEither() {
        CertificateAuthority next = CertificateAuthority.create("Gantry xDS CA 2", NOW, Duration.ofDays(3650));
        ProxyCertificateVerifier both = new ProxyCertificateVerifier(List.of(ca.certificate(), next.certificate()));
        for (CertificateAuthority issuer : List.of(ca, next)) {
            var verdict = both.verify(
                    issuer.issueProxy(SHARED, NOW, Duration.ofHours(1)).chain().toArray(X509Certificate[]::new), NOW);
            assertInstanceOf(ProxyCertificateVerifier.Verdict.Accepted.class, verdict);
        }
    }

    @Test
    void servingCertificatesCarryDnsNamesAndAddresses() throws Exception {
        KeyedCertificate serving = ca.issueServing(
                List.of("*.gantry-xds-shards.gantry-system.svc.cluster.local", "localhost", "127.0.0.1", "::1"),
                NOW,
                Duration.ofDays(30));
        List<String> names = new ArrayList<>();
        for (List<?> alternative : serving.leaf().getSubjectAlternativeNames()) {
            names.add(alternative.get(0) + "=" + alternative.get(1));
        }
        assertEquals(
                List.of(
                        "2=*.gantry-xds-shards.gantry-system.svc.cluster.local",
                        "2=localhost",
                        "7=127.0.0.1",
                        "7=0:0:0:0:0:0:0:1"),
                names);
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), serving.leaf().getExtendedKeyUsage());
        serving.leaf().verify(ca.certificate().getPublicKey());
    }

    @Test
    void noCertificateOutlivesItsCa() {
        CertificateAuthority shortLived = CertificateAuthority.create("short", NOW, Duration.ofHours(1));
        KeyedCertificate credential = shortLived.issueProxy(SHARED, NOW, Duration.ofDays(1));
        assertEquals(shortLived.certificate().getNotAfter().toInstant(), credential.notAfter());
    }

    @Test
    void pemRoundTripsAndAKeyMustBelongToItsCertificate() throws Exception {
        KeyedCertificate credential = ca.issueProxy(SHARED, NOW, Duration.ofHours(1));
        KeyedCertificate read = KeyedCertificate.fromPem(credential.certificatePem(), credential.keyPem());
        assertEquals(credential.leaf(), read.leaf());
        assertEquals(scalar(credential.key()), scalar(read.key()));
        KeyedCertificate other = ca.issueProxy(SHARED, NOW, Duration.ofHours(1));
        PemException mismatch = assertThrows(
                PemException.class, () -> KeyedCertificate.fromPem(credential.certificatePem(), other.keyPem()));
        assertEquals("the private key does not belong to the certificate", mismatch.getMessage());
        assertFalse(credential.toString().contains(credential.keyPem().substring(40, 80)));
    }

    @Test
    void traditionalKeyFormatsParseAndEncryptedOnesAreRefused() throws Exception {
        var generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        var ecPair = generator.generateKeyPair();
        var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                256,
                ((java.security.interfaces.ECPrivateKey) ecPair.getPrivate()).getS(),
                new X962Parameters(SECObjectIdentifiers.secp256r1));
        String sec1Pem = "-----BEGIN EC PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(sec1.getEncoded())
                + "\n-----END EC PRIVATE KEY-----\n";
        assertEquals(scalar(ecPair.getPrivate()), scalar(Pem.parsePrivateKey(sec1Pem)));
        var rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        var rsaPair = rsa.generateKeyPair();
        String rsaPem = pem(rsaPair);
        assertTrue(rsaPem.contains("BEGIN RSA PRIVATE KEY"));
        assertEquals(
                ((RSAPrivateKey) rsaPair.getPrivate()).getPrivateExponent(),
                ((RSAPrivateKey) Pem.parsePrivateKey(rsaPem)).getPrivateExponent());
        StringWriter encrypted = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(encrypted)) {
            writer.writeObject(new JcaPKCS8Generator(
                    ecPair.getPrivate(),
                    new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                            .setProvider(new BouncyCastleProvider())
                            .setPassword("pw".toCharArray())
                            .build()));
        }
        PemException refused = assertThrows(PemException.class, () -> Pem.parsePrivateKey(encrypted.toString()));
        assertTrue(refused.getMessage().contains("encrypted"), refused.getMessage());
        assertThrows(
                PemException.class,
                () -> Pem.parsePrivateKey("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
        assertThrows(PemException.class, () -> Pem.parseCertificates("not pem"));
    }

    @Test
    void caOfRefusesALeafOrAForeignKey() throws Exception {
        KeyedCertificate leaf = ca.issueProxy(SHARED, NOW, Duration.ofHours(1));
        assertThrows(PemException.class, () -> CertificateAuthority.of(leaf));
        CertificateAuthority other = CertificateAuthority.create("other", NOW, Duration.ofDays(1));
        assertThrows(
                PemException.class,
                () -> CertificateAuthority.of(new KeyedCertificate(
                        List.of(ca.certificate()), other.keyed().key())));
        assertEquals(ca.certificate(), CertificateAuthority.of(ca.keyed()).certificate());
    }

    @Test
    void identitiesRoundTripThroughTheirUri() {
        assertEquals(
                "spiffe://gantry.dev/ns/infra/gateways/shared/uid/0b8f1c2e-5d6a-4b7e-9f10-112233445566", SHARED.uri());
        assertEquals(Optional.of(SHARED), ProxyIdentity.fromUri(SHARED.uri()));
        for (String bad : List.of(
                "spiffe://gantry.dev/ns/infra/gateways/shared",
                "spiffe://other/ns/a/gateways/b/uid/c",
                "spiffe://gantry.dev/ns/Infra/gateways/shared/uid/x",
                "spiffe://gantry.dev/ns/a/gateways/b/c/uid/x")) {
            assertEquals(Optional.empty(), ProxyIdentity.fromUri(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new ProxyIdentity(new ObjectKey("", "shared"), "u"));
    }

    @Test
    void serialAnnotationsRoundTripAndSkipJunk() {
        var serials = new LinkedHashMap<BigInteger, Instant>();
        serials.put(new BigInteger("1f2e3d", 16), Instant.ofEpochSecond(1_800_000_000L));
        serials.put(BigInteger.valueOf(7), Instant.ofEpochSecond(1_800_000_100L));
        String text = CredentialSecrets.formatSerials(serials);
        assertEquals("1f2e3d:1800000000,7:1800000100", text);
        assertEquals(serials, CredentialSecrets.parseSerials(text));
        assertEquals(
                Map.of(BigInteger.valueOf(7), Instant.ofEpochSecond(5)),
                CredentialSecrets.parseSerials("zz:1,:4, 7:5,8"));
    }

    private static void assertRefused(
            ProxyCertificateVerifier.Reason reason, ProxyCertificateVerifier.Verdict verdict) {
        var refused = assertInstanceOf(ProxyCertificateVerifier.Verdict.Refused.class, verdict);
        assertEquals(reason, refused.reason(), refused.message());
    }

    private static BigInteger scalar(PrivateKey key) {
        return ((java.security.interfaces.ECPrivateKey) key).getS();
    }

    private static String pem(KeyPair pair) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(pair);
        }
        return out.toString();
    }
}
