package dev.gantry.translate;

import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A certificate a Gateway's proxies serve or trust, and when it is valid. Translation has no clock: it only says
 * what is in use and for how long; a runner with a clock tells which are expired now (or not valid yet) and says so.
 *
 * @param use what the certificate is for
 * @param ownerKind kind of the object the use belongs to (Gateway, ListenerSet or BackendTLSPolicy), told of expiry
 * @param owner that object
 * @param listener the listener that serves or validates with it, or null for a BackendTLSPolicy's CA
 * @param sourceKind kind of the object holding the certificate data (Secret or ConfigMap)
 * @param source that object
 * @param notBefore when the certificate (every certificate of its chain or bundle) becomes valid
 * @param notAfter when the first certificate of its chain or bundle expires
 */
public record CertificateUse(
        Use use,
        Kind<?> ownerKind,
        ObjectKey owner,
        String listener,
        Kind<?> sourceKind,
        ObjectKey source,
        Instant notBefore,
        Instant notAfter) {

    /** What a certificate is for; a metric label, so a handful of values. */
    public enum Use {
        /** Served by a TLS-terminating listener. */
        LISTENER,
        /** Trusted to validate the clients of an HTTPS listener (spec.tls.frontend). */
        CLIENT_CA,
        /** Trusted to validate a backend (BackendTLSPolicy). */
        BACKEND_CA
    }

    /**
     * When a chain or bundle is valid as a whole: from the latest notBefore to the earliest notAfter of its
     * certificates.
     */
    public record Window(Instant notBefore, Instant notAfter) {
        static Window of(List<X509Certificate> certificates) {
            Instant notBefore = Instant.MIN;
            Instant notAfter = Instant.MAX;
            for (X509Certificate certificate : certificates) {
                Instant from = certificate.getNotBefore().toInstant();
                Instant until = certificate.getNotAfter().toInstant();
                notBefore = from.isAfter(notBefore) ? from : notBefore;
                notAfter = until.isBefore(notAfter) ? until : notAfter;
            }
            return new Window(notBefore, notAfter);
        }
    }

    /** Whether the certificate is outside its validity window at {@code now}: expired, or not valid yet. */
    public boolean invalidAt(Instant now) {
        return !now.isBefore(notAfter) || now.isBefore(notBefore);
    }
}
