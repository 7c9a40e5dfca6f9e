package dev.gantry.pki;

import dev.gantry.model.ObjectKey;
import dev.gantry.model.ProxyNames;
import io.fabric8.kubernetes.api.model.Secret;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The Secrets of the xDS plane, as the controller writes them and the shards, standalone and the load test read
 * them: the CA (controller namespace), the shards' serving certificate (controller namespace, with the CA
 * certificate beside it) and one credential per Gateway (the Gateway's namespace, owned by the Gateway). All are
 * {@code kubernetes.io/tls} Secrets, so the usual tools read them.
 */
public final class CredentialSecrets {

    public static final String TYPE = "kubernetes.io/tls";
    public static final String TLS_CRT = "tls.crt";
    public static final String TLS_KEY = "tls.key";
    public static final String CA_CRT = "ca.crt";

    /** Label on every Secret of the xDS plane; its value says which one it is. */
    public static final String LABEL = "gantry.dev/xds-credential";

    public static final String LABEL_CA = "ca";
    public static final String LABEL_SERVING = "serving";
    public static final String LABEL_PROXY = "proxy";

    /** Annotation of a proxy credential Secret: {@code <namespace>/<name>} of its Gateway. */
    public static final String GATEWAY = "gantry.dev/gateway";

    /**
     * Annotation of a proxy credential Secret: the serial numbers the shards accept for that Gateway, each with its
     * expiry ({@code <hex serial>:<epoch seconds>,...}). The current certificate and, until it expires, the one it
     * replaced; deleting the Secret revokes every earlier certificate.
     */
    public static final String SERIALS = "gantry.dev/valid-serials";

    private CredentialSecrets() {}

    /** The credential Secret of a Gateway's proxies, in the Gateway's namespace. */
    public static String proxyCredentialName(ObjectKey gateway) {
        return ProxyNames.proxyName(gateway) + "-xds";
    }

    /** Namespace and name of a Gateway's credential Secret. */
    public static ObjectKey proxyCredentialKey(ObjectKey gateway) {
        return new ObjectKey(gateway.namespace(), proxyCredentialName(gateway));
    }

    /** A data entry of a Secret as text, or null. */
    public static String text(Secret secret, String key) {
        if (secret == null) {
            return null;
        }
        if (secret.getData() != null && secret.getData().get(key) != null) {
            try {
                return new String(
                        Base64.getDecoder().decode(secret.getData().get(key).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return secret.getStringData() == null ? null : secret.getStringData().get(key);
    }

    /** Base64 of text, as Secret data holds it. */
    public static String data(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The serials an annotation value lists, with their expiry; malformed entries are skipped. */
    public static Map<BigInteger, Instant> parseSerials(String value) {
        Map<BigInteger, Instant> serials = new LinkedHashMap<>();
        if (value == null || value.isBlank()) {
            return serials;
        }
        for (String entry : value.split(",")) {
            int colon = entry.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            try {
                serials.put(
                        new BigInteger(entry.substring(0, colon).trim(), 16),
                        Instant.ofEpochSecond(
                                Long.parseLong(entry.substring(colon + 1).trim())));
            } catch (NumberFormatException e) {
                // skipped: a hand-edited entry cannot make a certificate valid anyway
            }
        }
        return serials;
    }

    public static String formatSerials(Map<BigInteger, Instant> serials) {
        StringJoiner joined = new StringJoiner(",");
        serials.forEach((serial, notAfter) -> joined.add(serial.toString(16) + ":" + notAfter.getEpochSecond()));
        return joined.toString();
    }

    /** The Gateway a proxy credential Secret belongs to, or null when it is not one. */
    public static ObjectKey gatewayOf(Secret secret) {
        if (!isLabelled(secret, LABEL_PROXY) || secret.getMetadata().getAnnotations() == null) {
            return null;
        }
        String gateway = secret.getMetadata().getAnnotations().get(GATEWAY);
        try {
            ObjectKey key = gateway == null ? null : ObjectKey.parse(gateway);
            return key == null || !key.namespace().equals(secret.getMetadata().getNamespace()) ? null : key;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether a Secret carries the label of this kind of credential. */
    public static boolean isLabelled(Secret secret, String kind) {
        return secret != null
                && secret.getMetadata().getLabels() != null
                && kind.equals(secret.getMetadata().getLabels().get(LABEL));
    }
}
