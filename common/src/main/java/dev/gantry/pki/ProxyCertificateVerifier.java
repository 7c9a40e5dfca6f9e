package dev.gantry.pki;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the client certificate a proxy presented against Gantry's CA: issued by it, valid now, meant for client
 * authentication, and naming one Gateway. The time is the caller's; what does not depend on it (the CA's
 * signature, purpose, identity) is worked out once per certificate and kept. Thread-safe.
 */
public final class ProxyCertificateVerifier {

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final int URI_NAME = 6;
    /** Distinct credentials whose check is kept: one per Gateway of a large shard, at about 150 bytes each. */
    private static final int CHECKED = 16_384;

    private final Set<TrustAnchor> anchors;
    /**
     * What {@link #trust} found, by the SHA-256 of the certificate's encoding: every replica of a Gateway, and every
     * reconnect, presents the same credential, and checking the CA's signature (about half a millisecond on the JDK)
     * is most of a check. The time is not part of it.
     */
    private final Cache<ByteBuffer, Verdict> checked =
            Caffeine.newBuilder().maximumSize(CHECKED).build();

    /** @param trusted the CA certificates credentials may chain to (more than one while a CA is replaced) */
    public ProxyCertificateVerifier(List<X509Certificate> trusted) {
        if (trusted.isEmpty()) {
            throw new IllegalArgumentException("a verifier needs at least one CA certificate");
        }
        Set<TrustAnchor> set = new HashSet<>();
        for (X509Certificate certificate : trusted) {
            set.add(new TrustAnchor(certificate, null));
        }
        this.anchors = Set.copyOf(set);
    }

    /** Why a credential was refused; the names are the values of the failure metric's label. */
    public enum Reason {
        NO_CERTIFICATE("no_certificate"),
        UNTRUSTED("untrusted"),
        EXPIRED("expired"),
        NOT_YET_VALID("not_yet_valid"),
        NOT_A_PROXY_CREDENTIAL("not_a_proxy_credential");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What the check concluded. */
    public sealed interface Verdict {
        /**
         * @param identity the Gateway the credential speaks for
         * @param serial the certificate's serial number
         * @param notAfter when it expires
         */
        record Accepted(ProxyIdentity identity, BigInteger serial, Instant notAfter) implements Verdict {}

        /** @param message why, for the proxy's operator (never key material) */
        record Refused(Reason reason, String message) implements Verdict {}
    }

    /** @param presented the peer's certificates, leaf first (null or empty when it sent none) */
    public Verdict verify(Certificate[] presented, Instant now) {
        if (presented == null || presented.length == 0 || !(presented[0] instanceof X509Certificate leaf)) {
            return new Verdict.Refused(
                    Reason.NO_CERTIFICATE,
                    "no client certificate: an xDS stream needs the"
                            + " credential of its Gateway (tls.crt and tls.key of its Secret)");
        }
        Verdict trusted;
        try {
            trusted = checked.get(
                    ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded())),
                    k -> trust(leaf, anchors));
        } catch (GeneralSecurityException e) {
            return new Verdict.Refused(Reason.UNTRUSTED, "the client certificate cannot be read: " + e.getMessage());
        }
        if (trusted instanceof Verdict.Refused refused) {
            return refused;
        }
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            return new Verdict.Refused(
                    Reason.EXPIRED,
                    "the client certificate expired at " + leaf.getNotAfter().toInstant()
                            + "; the proxy must load its renewed credential");
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            return new Verdict.Refused(
                    Reason.NOT_YET_VALID,
                    "the client certificate is valid only from "
                            + leaf.getNotBefore().toInstant() + " (is a clock wrong?)");
        }
        return trusted;
    }

    /**
     * Whether a certificate is a proxy credential of these CAs, whatever the time: the CA's signature checked as of
     * the certificate's own start (the time is checked apart, at every call), its purpose and the Gateway it names.
     */
    private static Verdict trust(X509Certificate leaf, Set<TrustAnchor> anchors) {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(leaf.getNotBefore());
            CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(List.of(leaf)), parameters);
        } catch (CertPathValidatorException e) {
            return new Verdict.Refused(Reason.UNTRUSTED, "the client certificate was not issued by this Gantry's CA");
        } catch (GeneralSecurityException e) {
            return new Verdict.Refused(Reason.UNTRUSTED, "the client certificate cannot be checked: " + e.getMessage());
        }
        try {
            List<String> purposes = leaf.getExtendedKeyUsage();
            if (purposes == null || !purposes.contains(CLIENT_AUTH)) {
                return new Verdict.Refused(
                        Reason.NOT_A_PROXY_CREDENTIAL,
                        "the certificate is not a client certificate (no clientAuth extended key usage)");
            }
            Optional<ProxyIdentity> identity = identityOf(leaf.getSubjectAlternativeNames());
            if (identity.isEmpty()) {
                return new Verdict.Refused(
                        Reason.NOT_A_PROXY_CREDENTIAL,
                        "the certificate names no Gateway (no spiffe://gantry.dev/ns/... URI)");
            }
            return new Verdict.Accepted(
                    identity.get(), leaf.getSerialNumber(), leaf.getNotAfter().toInstant());
        } catch (CertificateParsingException e) {
            return new Verdict.Refused(Reason.NOT_A_PROXY_CREDENTIAL, "the certificate's extensions do not parse");
        }
    }

    private static Optional<ProxyIdentity> identityOf(Collection<List<?>> alternatives) {
        if (alternatives == null) {
            return Optional.empty();
        }
        Optional<ProxyIdentity> found = Optional.empty();
        for (List<?> alternative : alternatives) {
            if (alternative.size() == 2
                    && Integer.valueOf(URI_NAME).equals(alternative.get(0))
                    && alternative.get(1) instanceof String uri) {
                Optional<ProxyIdentity> identity = ProxyIdentity.fromUri(uri);
                if (identity.isPresent()) {
                    if (found.isPresent()) {
                        return Optional.empty(); // two Gateways in one credential: it speaks for neither
                    }
                    found = identity;
                }
            }
        }
        return found;
    }
}
