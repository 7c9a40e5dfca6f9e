package dev.gantry.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** PEM text of certificates and private keys, written and read. */
public final class Pem {

    /** Reads the key formats the JDK does not; never registered as a provider of the process. */
    private static final BouncyCastleProvider BOUNCY_CASTLE = new BouncyCastleProvider();

    private static final Base64.Encoder MIME = Base64.getMimeEncoder(64, new byte[] {'\n'});

    private Pem() {}

    /** The certificates as consecutive {@code CERTIFICATE} blocks. */
    public static String certificates(List<X509Certificate> certificates) {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            try {
                block(pem, "CERTIFICATE", certificate.getEncoded());
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
            }
        }
        return pem.toString();
    }

    /** The key as a PKCS#8 {@code PRIVATE KEY} block. */
    public static String privateKey(PrivateKey key) {
        StringBuilder pem = new StringBuilder();
        block(pem, "PRIVATE KEY", key.getEncoded());
        return pem.toString();
    }

    private static void block(StringBuilder pem, String type, byte[] der) {
        pem.append("-----BEGIN ")
                .append(type)
                .append("-----\n")
                .append(new String(MIME.encode(der), StandardCharsets.US_ASCII))
                .append('\n')
                .append("-----END ")
                .append(type)
                .append("-----\n");
    }

    /** Every certificate of PEM text, in order; at least one. */
    public static List<X509Certificate> parseCertificates(String pem) throws PemException {
        if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new PemException("no PEM CERTIFICATE block");
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate certificate :
                    factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new PemException("no certificate could be read");
            }
            return List.copyOf(certificates);
        } catch (CertificateException e) {
            throw new PemException("the certificate does not parse: " + e.getMessage(), e);
        }
    }

    /** The same key as the JDK's own provider builds it (PKCS#8 with named curve parameters). */
    private static PrivateKey platformKey(PrivateKey key) throws GeneralSecurityException {
        String algorithm = key.getAlgorithm().equals("ECDSA") ? "EC" : key.getAlgorithm();
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
    }

    /**
     * The first private key of PEM text: PKCS#8 ({@code PRIVATE KEY}), SEC 1 ({@code EC PRIVATE KEY}) or PKCS#1
     * ({@code RSA PRIVATE KEY}). Encrypted keys are refused.
     */
    public static PrivateKey parsePrivateKey(String pem) throws PemException {
        if (pem == null || !pem.contains("-----BEGIN ")) {
            throw new PemException("no PEM private key block");
        }
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(BOUNCY_CASTLE);
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PrivateKeyInfo info) {
                    return platformKey(converter.getPrivateKey(info));
                }
                if (object instanceof PEMKeyPair pair) {
                    // A SEC 1 key may omit its public half: take the private key alone.
                    return platformKey(converter.getPrivateKey(pair.getPrivateKeyInfo()));
                }
                if (object.getClass().getSimpleName().contains("Encrypted")) {
                    throw new PemException("the private key is encrypted; give it unencrypted");
                }
            }
            throw new PemException("no private key block (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)");
        } catch (PEMException | GeneralSecurityException e) {
            throw new PemException("the private key does not parse", e);
        } catch (IOException | RuntimeException e) {
            // The parser's own message may quote the offending text: keep it out of ours.
            throw new PemException(
                    "the private key does not parse (" + e.getClass().getSimpleName() + ")");
        }
    }
}
