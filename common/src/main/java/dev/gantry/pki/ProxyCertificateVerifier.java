package dev.gantry.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
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
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the client certificate a proxy presented against Gantry's CA: issued by it, valid now, meant for client
 * authentication, and naming one Gateway. Pure apart from the JDK's PKIX validator; the time is the caller's.
 */
public final class ProxyCertificateVerifier {

  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final int URI_NAME = 6;

  private final Set<TrustAnchor> anchors;

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
    record Accepted(ProxyIdentity identity, BigInteger serial, Instant notAfter) implements Verdict {
    }

    /** @param message why, for the proxy's operator (never key material) */
    record Refused(Reason reason, String message) implements Verdict {
    }
  }

  /** @param presented the peer's certificates, leaf first (null or empty when it sent none) */
  public Verdict verify(Certificate[] presented, Instant now) {
    if (presented == null || presented.length == 0 || !(presented[0] instanceof X509Certificate leaf)) {
      return new Verdict.Refused(Reason.NO_CERTIFICATE, "no client certificate: an xDS stream needs the"
          + " credential of its Gateway (tls.crt and tls.key of its Secret)");
    }
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      PKIXParameters parameters = new PKIXParameters(anchors);
      parameters.setRevocationEnabled(false);
      parameters.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(List.of(leaf)), parameters);
    } catch (CertPathValidatorException e) {
      if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
        return new Verdict.Refused(Reason.EXPIRED, "the client certificate expired at "
            + leaf.getNotAfter().toInstant() + "; the proxy must load its renewed credential");
      }
      if (e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
        return new Verdict.Refused(Reason.NOT_YET_VALID, "the client certificate is valid only from "
            + leaf.getNotBefore().toInstant() + " (is a clock wrong?)");
      }
      return new Verdict.Refused(Reason.UNTRUSTED, "the client certificate was not issued by this Gantry's CA");
    } catch (GeneralSecurityException e) {
      return new Verdict.Refused(Reason.UNTRUSTED, "the client certificate cannot be checked: " + e.getMessage());
    }
    try {
      List<String> purposes = leaf.getExtendedKeyUsage();
      if (purposes == null || !purposes.contains(CLIENT_AUTH)) {
        return new Verdict.Refused(Reason.NOT_A_PROXY_CREDENTIAL,
            "the certificate is not a client certificate (no clientAuth extended key usage)");
      }
      Optional<ProxyIdentity> identity = identityOf(leaf.getSubjectAlternativeNames());
      if (identity.isEmpty()) {
        return new Verdict.Refused(Reason.NOT_A_PROXY_CREDENTIAL,
            "the certificate names no Gateway (no spiffe://gantry.dev/ns/... URI)");
      }
      return new Verdict.Accepted(identity.get(), leaf.getSerialNumber(), leaf.getNotAfter().toInstant());
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
      if (alternative.size() == 2 && Integer.valueOf(URI_NAME).equals(alternative.get(0))
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
