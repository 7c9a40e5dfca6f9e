package dev.gantry.pki;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A certificate chain (leaf first) with the leaf's private key.
 *
 * @param chain the leaf, then any issuers it should be sent with
 * @param key the leaf's private key
 */
public record KeyedCertificate(List<X509Certificate> chain, PrivateKey key) {

    public KeyedCertificate {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate chain needs at least its leaf");
        }
    }

    /** Reads a chain and key from PEM, checking that the key belongs to the leaf. */
    public static KeyedCertificate fromPem(String certificatePem, String keyPem) throws PemException {
        KeyedCertificate parsed =
                new KeyedCertificate(Pem.parseCertificates(certificatePem), Pem.parsePrivateKey(keyPem));
        if (!KeyMatch.matches(parsed.leaf().getPublicKey(), parsed.key())) {
            throw new PemException("the private key does not belong to the certificate");
        }
        return parsed;
    }

    public X509Certificate leaf() {
        return chain.getFirst();
    }

    public BigInteger serial() {
        return leaf().getSerialNumber();
    }

    public Instant notBefore() {
        return leaf().getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    public String certificatePem() {
        return Pem.certificates(chain);
    }

    public String keyPem() {
        return Pem.privateKey(key);
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "KeyedCertificate[" + leaf().getSubjectX500Principal().getName() + ", serial " + serial().toString(16)
                + ", until " + notAfter() + "]";
    }
}
