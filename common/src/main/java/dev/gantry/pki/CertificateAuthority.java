package dev.gantry.pki;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificate authority of Gantry's xDS plane: it signs the shards' serving certificates and one client
 * certificate per Gateway. Keys are ECDSA P-256 (cheap handshakes, accepted by Envoy and every TLS stack).
 * Times come from the caller, so issuing is repeatable in tests; only keys and serials are random.
 */
public final class CertificateAuthority {

    /**
     * How far before "now" a certificate becomes valid, so a proxy or shard whose clock runs a little behind
     * accepts it at once.
     */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyedCertificate ca;

    private CertificateAuthority(KeyedCertificate ca) {
        this.ca = ca;
    }

    /** A new self-signed CA valid from now for {@code validity}. */
    public static CertificateAuthority create(String commonName, Instant now, Duration validity) {
        KeyPair keys = newKeyPair();
        X500Name subject = name(commonName);
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    subject,
                    newSerial(),
                    Date.from(now.minus(CLOCK_SKEW)),
                    Date.from(now.plus(validity)),
                    subject,
                    keys.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(
                    Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate certificate = sign(builder, keys);
            return new CertificateAuthority(new KeyedCertificate(List.of(certificate), keys.getPrivate()));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create a CA certificate: " + e.getMessage(), e);
        }
    }

    /** A CA from its certificate and key, refused unless the certificate is a CA's and the key is its own. */
    public static CertificateAuthority of(KeyedCertificate ca) throws PemException {
        if (ca.leaf().getBasicConstraints() < 0) {
            throw new PemException("the certificate is not a CA certificate (no basicConstraints CA:true)");
        }
        if (!KeyMatch.matches(ca.leaf().getPublicKey(), ca.key())) {
            throw new PemException("the private key does not belong to the CA certificate");
        }
        return new CertificateAuthority(new KeyedCertificate(List.of(ca.leaf()), ca.key()));
    }

    /** The CA's certificate and key. */
    public KeyedCertificate keyed() {
        return ca;
    }

    public X509Certificate certificate() {
        return ca.leaf();
    }

    /**
     * A serving certificate for the xDS shards.
     *
     * @param names DNS names (wildcards allowed) and IP addresses the shards are reached at
     */
    public KeyedCertificate issueServing(List<String> names, Instant now, Duration validity) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a serving certificate needs at least one name");
        }
        List<GeneralName> alternatives = new ArrayList<>();
        for (String name : names) {
            alternatives.add(
                    isIpAddress(name)
                            ? new GeneralName(GeneralName.iPAddress, name)
                            : new GeneralName(GeneralName.dNSName, name));
        }
        return issue(
                name("gantry-xds"),
                alternatives,
                KeyPurposeId.id_kp_serverAuth,
                KeyUsage.digitalSignature,
                now,
                validity);
    }

    /** The client certificate of one Gateway's proxies. */
    public KeyedCertificate issueProxy(ProxyIdentity identity, Instant now, Duration validity) {
        String gateway = identity.gateway().toString();
        return issue(
                name(gateway.length() <= 64 ? gateway : "gantry-proxy"),
                List.of(new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri())),
                KeyPurposeId.id_kp_clientAuth,
                KeyUsage.digitalSignature,
                now,
                validity);
    }

    private KeyedCertificate issue(
            X500Name subject,
            List<GeneralName> alternatives,
            KeyPurposeId purpose,
            int keyUsage,
            Instant now,
            Duration validity) {
        KeyPair keys = newKeyPair();
        Instant notAfter = now.plus(validity);
        if (notAfter.isAfter(ca.notAfter())) {
            notAfter = ca.notAfter(); // a certificate never outlives its issuer
        }
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    ca.leaf(),
                    newSerial(),
                    Date.from(now.minus(CLOCK_SKEW)),
                    Date.from(notAfter),
                    subject,
                    keys.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            builder.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(alternatives.toArray(GeneralName[]::new)));
            builder.addExtension(
                    Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            builder.addExtension(
                    Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca.leaf()));
            X509Certificate certificate = sign(builder, new KeyPair(ca.leaf().getPublicKey(), ca.key()));
            return new KeyedCertificate(List.of(certificate), keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue a certificate: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws GeneralSecurityException {
        try {
            ContentSigner contentSigner = new JcaContentSignerBuilder(SIGNATURE).build(signer.getPrivate());
            X509Certificate certificate =
                    new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
            certificate.verify(signer.getPublic());
            return certificate;
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make P-256 keys: " + e.getMessage(), e);
        }
    }

    /** 127 random bits: unique without coordination, positive as RFC 5280 requires. */
    private static BigInteger newSerial() {
        return new BigInteger(127, RANDOM).setBit(0);
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "gantry")
                .addRDN(BCStyle.CN, commonName)
                .build();
    }

    /** Whether text is a literal IPv4 or IPv6 address (never looked up). */
    public static boolean isIpAddress(String text) {
        if (text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return true;
        }
        if (!text.contains(":") || !text.matches("[0-9A-Fa-f:.]+")) {
            return false;
        }
        try {
            InetAddress.getByName(text);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
