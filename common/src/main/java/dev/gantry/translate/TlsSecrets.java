package dev.gantry.translate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gantry.pki.KeyMatch;
import dev.gantry.pki.Pem;
import dev.gantry.pki.PemException;
import io.fabric8.kubernetes.api.model.Secret;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads and checks the PEM material of {@code kubernetes.io/tls} Secrets and CA bundles. */
public final class TlsSecrets {

  private static final Pattern PRIVATE_KEY = Pattern.compile(
      "-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----\\s*([A-Za-z0-9+/=\\s]+)-----END (RSA |EC |ENCRYPTED )?PRIVATE KEY-----");

  private TlsSecrets() {
  }

  /** A decoded certificate chain and key. */
  public record KeyPair(String certificateChainPem, String privateKeyPem) {
    @Override
    public String toString() {
      return "KeyPair[redacted]";
    }
  }

  /** Outcome of reading a TLS Secret: the key pair, or why it cannot be used. */
  public sealed interface Result {
    /** The Secret holds a usable certificate and key. */
    record Valid(KeyPair keyPair) implements Result {
    }

    /** The Secret cannot be used, and why. */
    record Invalid(String problem) implements Result {
    }
  }

  /**
   * Reads a TLS Secret. A Secret object of the informers' cache stands for one content until it changes, so what was
   * read of it (parsing and a signature to match key and certificate) is remembered by identity.
   */
  public static Result read(Secret secret) {
    return READ.get(secret, TlsSecrets::readNow);
  }

  private static final Cache<Secret, Result> READ = Caffeine.newBuilder().weakKeys().maximumSize(100_000).build();

  private static Result readNow(Secret secret) {
    Map<String, String> data = secret.getData();
    String crt = decoded(data, secret.getStringData(), "tls.crt");
    String key = decoded(data, secret.getStringData(), "tls.key");
    if (crt == null || key == null) {
      return new Result.Invalid("Secret " + secret.getMetadata().getName() + " has no tls.crt and tls.key");
    }
    String certProblem = certificateProblem(crt);
    if (certProblem != null) {
      return new Result.Invalid("Secret " + secret.getMetadata().getName() + ": tls.crt " + certProblem);
    }
    if (!PRIVATE_KEY.matcher(key).find()) {
      return new Result.Invalid("Secret " + secret.getMetadata().getName() + ": tls.key is not a PEM private key");
    }
    String pairProblem = pairProblem(crt, key);
    if (pairProblem != null) {
      return new Result.Invalid("Secret " + secret.getMetadata().getName() + ": " + pairProblem);
    }
    return new Result.Valid(new KeyPair(crt, key));
  }

  /**
   * Why Envoy would refuse this certificate and key, or null: the key does not parse, is not of a kind Envoy serves
   * (RSA of 2,048 bits or more, ECDSA on P-256), or does not belong to the first certificate. Envoy refuses the
   * whole Listener that carries such a pair, and with it every other team's filter chain on the port. The message
   * never quotes the key.
   */
  static String pairProblem(String certificatePem, String keyPem) {
    java.security.PublicKey publicKey;
    try {
      publicKey = Pem.parseCertificates(certificatePem).getFirst().getPublicKey();
    } catch (PemException | RuntimeException e) {
      return "tls.crt does not parse (" + e.getMessage() + ")";
    }
    java.security.PrivateKey privateKey;
    try {
      privateKey = Pem.parsePrivateKey(keyPem);
    } catch (PemException e) {
      return "tls.key: " + e.getMessage();
    }
    if (publicKey instanceof RSAPublicKey rsa) {
      if (rsa.getModulus().bitLength() < 2048) {
        return "the certificate's RSA key has " + rsa.getModulus().bitLength()
            + " bits; Envoy serves RSA keys of 2048 bits or more";
      }
    } else if (publicKey instanceof ECPublicKey ec) {
      if (!isP256(ec)) {
        return "the certificate's EC key is not on curve P-256, the only one Envoy serves";
      }
    } else {
      return "the certificate's key is " + publicKey.getAlgorithm() + "; Envoy serves RSA and ECDSA (P-256) keys";
    }
    if (!KeyMatch.matches(publicKey, privateKey)) {
      return "tls.key does not belong to the certificate in tls.crt";
    }
    return null;
  }

  private static boolean isP256(ECPublicKey key) {
    String curve = key.getParams().toString();
    return curve.contains("secp256r1") || curve.contains("1.2.840.10045.3.1.7");
  }

  /** Why a PEM bundle of certificates is unusable, or null when it parses and holds at least one. */
  public static String certificateProblem(String pem) {
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      return "holds no PEM certificate";
    }
    try {
      var certificates = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      return certificates.isEmpty() ? "holds no certificate" : null;
    } catch (CertificateException | RuntimeException e) {
      return "is not a valid X.509 PEM certificate (" + e.getMessage() + ")";
    }
  }

  private static String decoded(Map<String, String> data, Map<String, String> stringData, String key) {
    if (stringData != null && stringData.get(key) != null) {
      return stringData.get(key);
    }
    if (data == null || data.get(key) == null) {
      return null;
    }
    try {
      return new String(Base64.getMimeDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
