package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.pki.Pem;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** What a TLS Secret must hold for Envoy to serve it, each refusal with a message that never quotes the key. */
class TlsSecretsTest {

    @Test
    void aMatchingP256PairIsValid() {
        assertInstanceOf(
                TlsSecrets.Result.Valid.class, TlsSecrets.read(secret(TestPem.CERTIFICATE, TestPem.PRIVATE_KEY)));
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() throws Exception {
        KeyPair other = ec("secp256r1");
        String problem = invalid(TestPem.CERTIFICATE, Pem.privateKey(other.getPrivate()));
        assertTrue(problem.contains("tls.key does not belong to the certificate"), problem);
    }

    @Test
    void keysEnvoyDoesNotServeAreRefused() throws Exception {
        KeyPair small = rsa(1024);
        assertTrue(invalid(certificate(small, "SHA256withRSA"), Pem.privateKey(small.getPrivate()))
                .contains("1024 bits"));
        KeyPair p384 = ec("secp384r1");
        assertTrue(invalid(certificate(p384, "SHA384withECDSA"), Pem.privateKey(p384.getPrivate()))
                .contains("P-256"));
        KeyPair large = rsa(2048);
        assertInstanceOf(
                TlsSecrets.Result.Valid.class,
                TlsSecrets.read(secret(certificate(large, "SHA256withRSA"), Pem.privateKey(large.getPrivate()))));
    }

    @Test
    void anUnparseableKeyIsRefusedWithoutQuotingIt() {
        String garbage =
                "-----BEGIN PRIVATE KEY-----\nTUlJQ2VRSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NBbU13Z2dKZkFnRUFBb0dCQUtz\n"
                        + "-----END PRIVATE KEY-----\n";
        String problem = invalid(TestPem.CERTIFICATE, garbage);
        assertTrue(problem.startsWith("Secret cert: tls.key"), problem);
        assertFalse(problem.contains("TUlJQ2VRSUJB"), "the key's text stays out of the message");
    }

    @Test
    void anUnparseableCertificateIsRefused() {
        String problem = invalid("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", TestPem.PRIVATE_KEY);
        assertTrue(problem.contains("tls.crt"), problem);
    }

    @Test
    void aCaBundleOfCertificatesIsValidAndTheTextBetweenBlocksIsIgnored() throws Exception {
        String two = "# Issuer: a comment as system bundles have\n" + TestPem.CERTIFICATE + "\n"
                + certificate(ec("secp256r1"), "SHA256withECDSA");
        TlsSecrets.CaBundle bundle = TlsSecrets.caBundle(two);
        assertEquals(
                2,
                assertInstanceOf(TlsSecrets.CaBundle.Valid.class, bundle)
                        .certificates()
                        .size());
    }

    @Test
    void caBundlesEnvoyWouldRefuseOrThatHoldAKeyAreRefusedSayingWhichBlock() {
        String garbageBlock = "-----BEGIN CERTIFICATE-----\nTUlJQ2VRSUJBREFOQmdrcWhr\n-----END CERTIFICATE-----\n";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("", "is empty");
        cases.put("  \n", "is empty");
        cases.put("not a certificate at all", "holds no PEM certificate");
        cases.put(TestPem.PRIVATE_KEY, "holds a private key (PEM block 1 of 1)");
        cases.put(TestPem.CERTIFICATE + TestPem.PRIVATE_KEY, "holds a private key (PEM block 2 of 2)");
        cases.put(garbageBlock, "has a certificate that does not parse as X.509 (PEM block 1 of 1)");
        cases.put(TestPem.CERTIFICATE + garbageBlock, "does not parse as X.509 (PEM block 2 of 2)");
        cases.put("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "is not valid base64");
        cases.put(
                TestPem.CERTIFICATE.substring(0, TestPem.CERTIFICATE.indexOf("-----END")),
                "without its END CERTIFICATE line");
        cases.put("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", "not a CERTIFICATE but X509 CRL");
        cases.forEach((pem, expected) -> {
            String problem = assertInstanceOf(
                            TlsSecrets.CaBundle.Invalid.class, TlsSecrets.caBundle(pem), "refused: " + expected)
                    .problem();
            assertTrue(problem.contains(expected), problem + " should say " + expected);
            assertFalse(problem.contains("TUlJQ2VR") || problem.contains("MIGHAgEA"), "no data quoted: " + problem);
        });
    }

    private static String invalid(String certificate, String key) {
        TlsSecrets.Result result = TlsSecrets.read(secret(certificate, key));
        return assertInstanceOf(TlsSecrets.Result.Invalid.class, result).problem();
    }

    private static Secret secret(String certificate, String key) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName("cert")
                .withNamespace("apps")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToStringData("tls.crt", certificate)
                .addToStringData("tls.key", key)
                .build();
    }

    private static KeyPair rsa(int bits) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits);
        return generator.generateKeyPair();
    }

    private static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    private static String certificate(KeyPair pair, String algorithm) throws Exception {
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=app.example.com");
        var holder = new JcaX509v3CertificateBuilder(
                        name,
                        BigInteger.ONE,
                        Date.from(now),
                        Date.from(now.plus(1, ChronoUnit.DAYS)),
                        name,
                        pair.getPublic())
                .build(new JcaContentSignerBuilder(algorithm).build(pair.getPrivate()));
        return Pem.certificates(List.of(new JcaX509CertificateConverter().getCertificate(holder)));
    }
}
