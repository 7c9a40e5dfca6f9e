package dev.gantry.translate;

import io.fabric8.kubernetes.api.model.Secret;
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

  public static Result read(Secret secret) {
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
    return new Result.Valid(new KeyPair(crt, key));
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
