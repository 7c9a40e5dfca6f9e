package dev.gantry.translate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.pki.KeyMatch;
import dev.gantry.pki.Pem;
import dev.gantry.pki.PemException;
import dev.gantry.view.ClusterView;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/** Reads and checks the PEM material of {@code kubernetes.io/tls} Secrets and CA bundles. */
public final class TlsSecrets {

    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----\\s*([A-Za-z0-9+/=\\s]+)-----END (RSA |EC |ENCRYPTED )?PRIVATE KEY-----");

    private TlsSecrets() {}

    /** A decoded certificate chain and key. */
    public record KeyPair(String certificateChainPem, String privateKeyPem) {
        @Override
        public String toString() {
            return "KeyPair[redacted]";
        }
    }

    /** Outcome of reading a TLS Secret: the key pair, or why it cannot be used. */
    public sealed interface Result {
        /**
         * The Secret holds a usable certificate and key, valid within {@code window} (its chain as a whole), for the
         * DNS names of its leaf's subjectAltName ({@code dnsNames}, lower case, wildcards as written).
         */
        record Valid(KeyPair keyPair, CertificateUse.Window window, List<String> dnsNames) implements Result {
            public Valid {
                dnsNames = List.copyOf(dnsNames);
            }
        }

        /** The Secret cannot be used, and why. */
        record Invalid(String problem) implements Result {}
    }

    /**
     * Reads a TLS Secret. A Secret object of the informers' cache stands for one content until it changes, so what was
     * read of it (parsing and a signature to match key and certificate) is remembered by identity.
     */
    public static Result read(Secret secret) {
        return READ.get(secret, TlsSecrets::readNow);
    }

    private static final Cache<Secret, Result> READ =
            Caffeine.newBuilder().weakKeys().maximumSize(100_000).build();

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
            return new Result.Invalid(
                    "Secret " + secret.getMetadata().getName() + ": tls.key is not a PEM private key");
        }
        String pairProblem = pairProblem(crt, key);
        if (pairProblem != null) {
            return new Result.Invalid("Secret " + secret.getMetadata().getName() + ": " + pairProblem);
        }
        List<X509Certificate> chain;
        try {
            chain = Pem.parseCertificates(crt);
        } catch (PemException e) {
            return new Result.Invalid("Secret " + secret.getMetadata().getName() + ": tls.crt " + e.getMessage());
        }
        return new Result.Valid(new KeyPair(crt, key), CertificateUse.Window.of(chain), dnsNames(chain.getFirst()));
    }

    /**
     * Why Envoy would refuse this certificate and key, or null: the key does not parse, is not of a kind Envoy serves
     * (RSA of 2,048 bits or more, ECDSA on P-256), or does not belong to the first certificate. Envoy refuses the
     * whole Listener that carries such a pair, and with it every other team's filter chain on the port. The message
     * never quotes the key.
     */
    static String pairProblem(String certificatePem, String keyPem) {
        PublicKey publicKey;
        try {
            publicKey = Pem.parseCertificates(certificatePem).getFirst().getPublicKey();
        } catch (PemException | RuntimeException e) {
            return "tls.crt does not parse (" + e.getMessage() + ")";
        }
        PrivateKey privateKey;
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

    /** The dNSName entries of a certificate's subjectAltName, lower case; none when it has none or they do not parse. */
    static List<String> dnsNames(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            var sans = certificate.getSubjectAlternativeNames();
            for (List<?> san : sans == null ? List.<List<?>>of() : sans) {
                if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String name) {
                    names.add(name.toLowerCase(Locale.ROOT));
                }
            }
        } catch (CertificateException e) {
            return List.of();
        }
        return names;
    }

    /** Outcome of reading a CA bundle: its certificates, or why it cannot be used. */
    public sealed interface CaBundle {
        /** Every block of the bundle is a certificate that parses; at least one. */
        record Valid(String pem, List<X509Certificate> certificates) implements CaBundle {
            public Valid {
                certificates = List.copyOf(certificates);
            }

            /** When every certificate of the bundle is valid. */
            public CertificateUse.Window window() {
                return CertificateUse.Window.of(certificates);
            }

            @Override
            public String toString() {
                return "CaBundle.Valid[" + certificates.size() + " certificates]";
            }
        }

        /** The bundle cannot be used, and why (never quoting it). */
        record Invalid(String problem) implements CaBundle {}
    }

    /**
     * Reads the {@code ca.crt} of a ConfigMap named as CA certificates (a BackendTLSPolicy's or a Gateway's frontend
     * validation). A ConfigMap object of the informers' cache stands for one content until it changes, so what was
     * read of it is remembered by identity.
     *
     * @return the bundle, or null when the ConfigMap has no {@code ca.crt}
     */
    public static CaBundle readCaBundle(ConfigMap configMap) {
        return CA_BUNDLES.get(configMap, c -> {
            String ca = c.getData() == null ? null : c.getData().get("ca.crt");
            return ca == null ? new CaBundle.Invalid("has no ca.crt") : caBundle(ca);
        });
    }

    /**
     * Reads the CA ConfigMap a reference names: appends its certificates to {@code pem} and its validity window to
     * {@code windows} and returns null, or returns what is wrong with it (never quoting it).
     */
    static String appendCaBundle(
            ClusterView view,
            String namespace,
            String name,
            StringBuilder pem,
            Map<ObjectKey, CertificateUse.Window> windows) {
        ConfigMap configMap =
                view.get(Kinds.CONFIG_MAP, new ObjectKey(namespace, name)).orElse(null);
        return switch (configMap == null ? null : readCaBundle(configMap)) {
            case null -> "ConfigMap " + namespace + "/" + name + " does not exist";
            case CaBundle.Invalid invalid -> "ConfigMap " + namespace + "/" + name + ": ca.crt " + invalid.problem();
            case CaBundle.Valid valid -> {
                pem.append(valid.pem().strip()).append('\n');
                windows.put(ObjectKey.of(configMap), valid.window());
                yield null;
            }
        };
    }

    private static final Cache<ConfigMap, CaBundle> CA_BUNDLES =
            Caffeine.newBuilder().weakKeys().maximumSize(100_000).build();

    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)(-----END \\1-----|(?=-----BEGIN )|\\z)", Pattern.DOTALL);

    /**
     * Reads a CA bundle as Envoy's TLS library would load it as trusted CAs, only stricter: every PEM block must be a
     * certificate that parses (text between blocks, such as the comments of system bundles, is ignored), and there
     * must be at least one. A private key is refused outright: it does not belong in a CA bundle, and it would
     * otherwise be sent to every proxy (and its configuration dumps). The problem names the block by its position
     * and never quotes the data.
     */
    public static CaBundle caBundle(String pem) {
        List<MatchResult> blocks = PEM_BLOCK.matcher(pem).results().toList();
        if (blocks.isEmpty()) {
            return new CaBundle.Invalid(pem.isBlank() ? "is empty" : "holds no PEM certificate");
        }
        List<X509Certificate> certificates = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            MatchResult block = blocks.get(i);
            String type = block.group(1);
            String at = " (PEM block " + (i + 1) + " of " + blocks.size() + ")";
            if (type.contains("PRIVATE KEY")) {
                return new CaBundle.Invalid("holds a private key" + at + ", which does not belong in a CA bundle");
            }
            if (!type.equals("CERTIFICATE")) {
                return new CaBundle.Invalid("holds a PEM block that is not a CERTIFICATE but "
                        + (type.length() <= 32 ? type : "another type") + at);
            }
            if (!block.group(3).startsWith("-----END")) {
                return new CaBundle.Invalid("has a certificate without its END CERTIFICATE line" + at);
            }
            byte[] der;
            try {
                der = Base64.getDecoder()
                        .decode(WHITESPACE.matcher(block.group(2)).replaceAll(""));
            } catch (IllegalArgumentException e) {
                return new CaBundle.Invalid("has a certificate that is not valid base64" + at);
            }
            try {
                certificates.add((X509Certificate)
                        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException | RuntimeException e) {
                return new CaBundle.Invalid("has a certificate that does not parse as X.509" + at);
            }
        }
        return new CaBundle.Valid(pem, certificates);
    }

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

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
