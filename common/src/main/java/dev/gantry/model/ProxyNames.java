package dev.gantry.model;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of the per-Gateway proxy objects (Deployment, Service, ConfigMap, ServiceAccount), created in the
 * Gateway's namespace. One function, so the provisioner that creates them and the translator that reads the
 * Service's address always agree.
 */
public final class ProxyNames {

    private static final int MAX_NAME = 63;
    private static final String PREFIX = "gantry-";

    private ProxyNames() {}

    /** {@code gantry-<gateway>}, shortened with a hash suffix when it would exceed 63 characters. */
    public static String proxyName(ObjectKey gateway) {
        String name = PREFIX + gateway.name();
        if (name.length() <= MAX_NAME) {
            return name;
        }
        String hash = sha256Hex(gateway.toString()).substring(0, 8);
        return name.substring(0, MAX_NAME - hash.length() - 1).replaceAll("[-.]+$", "") + "-" + hash;
    }

    /** Label on every provisioned object: who manages it. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

    public static final String MANAGED_BY_VALUE = "gantry";
    /** Label on every provisioned object: the Gateway's name (the Gateway API's well-known label). */
    public static final String GATEWAY_NAME = "gateway.networking.k8s.io/gateway-name";

    /** Whether an object is one Gantry provisioned for this Gateway (by its labels and namespace). */
    public static boolean isProxyOf(HasMetadata object, ObjectKey gateway) {
        var labels = object.getMetadata().getLabels();
        return labels != null
                && MANAGED_BY_VALUE.equals(labels.get(MANAGED_BY))
                && gatewayLabel(gateway).equals(labels.get(GATEWAY_NAME))
                && gateway.namespace().equals(object.getMetadata().getNamespace());
    }

    /** The Gateway's name as a label value (label values stop at 63 characters). */
    public static String gatewayLabel(ObjectKey gateway) {
        if (gateway.name().length() <= MAX_NAME) {
            return gateway.name();
        }
        String hash = sha256Hex(gateway.toString()).substring(0, 8);
        return gateway.name().substring(0, MAX_NAME - hash.length() - 1).replaceAll("[-.]+$", "") + "-" + hash;
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
