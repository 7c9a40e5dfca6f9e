package dev.gantry.config;

import dev.gantry.translate.Durations;
import dev.gantry.translate.ProxyParameters;
import dev.gantry.translate.TranslatorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Every setting of Gantry, read from {@code GANTRY_*} environment variables and validated at start. The Helm
 * chart is the one place that decides names (Services, StatefulSet, namespace); it passes them here, and the
 * code keeps no second copy.
 *
 * @param namespace namespace of the control plane (Lease, Events, shard Services)
 * @param controllerName GatewayClass controllerName Gantry serves
 * @param gatewayClassName name of the default GatewayClass the controller ensures
 * @param manageGatewayClass whether the controller creates and keeps the default GatewayClass
 * @param xdsService name of the Service in front of all shards (null when not deployed by the chart)
 * @param shardService name of the shards' headless Service (null when not deployed by the chart)
 * @param shardStatefulSet name of the shards' StatefulSet, whose pods are {@code <name>-<index>}
 * @param shardCount number of xds-shards
 * @param shardIndex this shard's index (from the pod ordinal when unset)
 * @param xdsPort port shards serve ADS on
 * @param adminPort port of /healthz, /readyz, /metrics and /debug
 * @param clusterDomain DNS suffix of Services
 * @param leaseName name of the controller's leader-election Lease
 * @param leaseDuration Lease duration
 * @param renewDeadline how long a leader keeps trying to renew before it gives up
 * @param retryPeriod interval between leader-election attempts
 * @param identity this replica's identity for leader election (pod name)
 * @param statusQps steady rate of status writes per second
 * @param statusBurst burst of status writes
 * @param debounce quiet time after a change before retranslating
 * @param debounceMax longest a change waits when changes keep coming
 * @param xdsHoldTimeout how long an xDS request waits for readiness before the stream ends with UNAVAILABLE
 * @param provisionProxies whether the controller provisions an Envoy fleet per Gateway
 * @param envoyImage default Envoy image of provisioned proxies
 * @param imagePullPolicy default image pull policy of provisioned proxies
 * @param envoyReplicas default replica count of provisioned proxies
 * @param maxListenersPerGateway cap on the merged listener list of one Gateway
 * @param xdsInsecure serve xDS in plaintext without authenticating proxies (an unsafe opt-out, warned about)
 * @param caSecret Secret (in {@code namespace}) holding the CA that signs the xDS plane's certificates
 * @param xdsServingSecret Secret (in {@code namespace}) holding the shards' serving certificate and the CA
 * @param xdsServingNames further DNS names or addresses the shards' serving certificate is valid for
 * @param proxyCredentialTtl lifetime of a Gateway's proxy credential; it is renewed at half of it
 * @param xdsServingCertTtl lifetime of the shards' serving certificate; it is renewed at two thirds of it
 * @param xdsMaxStreamAge how long an xDS connection lives before the proxy must reconnect and authenticate again
 */
public record GantrySettings(
        String namespace,
        String controllerName,
        String gatewayClassName,
        boolean manageGatewayClass,
        String xdsService,
        String shardService,
        String shardStatefulSet,
        int shardCount,
        int shardIndex,
        int xdsPort,
        int adminPort,
        String clusterDomain,
        String leaseName,
        Duration leaseDuration,
        Duration renewDeadline,
        Duration retryPeriod,
        String identity,
        double statusQps,
        int statusBurst,
        Duration debounce,
        Duration debounceMax,
        Duration xdsHoldTimeout,
        boolean provisionProxies,
        String envoyImage,
        String imagePullPolicy,
        int envoyReplicas,
        int maxListenersPerGateway,
        boolean xdsInsecure,
        String caSecret,
        String xdsServingSecret,
        List<String> xdsServingNames,
        Duration proxyCredentialTtl,
        Duration xdsServingCertTtl,
        Duration xdsMaxStreamAge) {

    public GantrySettings {
        xdsServingNames = List.copyOf(xdsServingNames);
    }

    public static final String PREFIX = "GANTRY_";

    /** Reads settings from the process environment. */
    public static GantrySettings fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * Reads settings from a variable map; missing variables take their documented defaults.
     *
     * @throws InvalidSettingException naming the first variable whose value is invalid
     */
    public static GantrySettings fromEnvironment(Map<String, String> env) {
        Reader r = new Reader(env);
        String hostname = env.getOrDefault("HOSTNAME", "");
        int shardCount = r.integer("SHARD_COUNT", 1, 1, 1024);
        int shardIndex = r.integer("SHARD_INDEX", ordinalOf(hostname), 0, shardCount - 1);
        Duration leaseDuration = r.duration("LEASE_DURATION", Duration.ofSeconds(15));
        Duration renewDeadline = r.duration("RENEW_DEADLINE", Duration.ofSeconds(10));
        Duration retryPeriod = r.duration("RETRY_PERIOD", Duration.ofSeconds(2));
        if (renewDeadline.compareTo(leaseDuration) >= 0) {
            throw new InvalidSettingException(
                    PREFIX + "RENEW_DEADLINE",
                    env.get(PREFIX + "RENEW_DEADLINE"),
                    "must be shorter than GANTRY_LEASE_DURATION (" + leaseDuration.toMillis() + "ms)");
        }
        if (retryPeriod.compareTo(renewDeadline) >= 0) {
            throw new InvalidSettingException(
                    PREFIX + "RETRY_PERIOD",
                    env.get(PREFIX + "RETRY_PERIOD"),
                    "must be shorter than GANTRY_RENEW_DEADLINE (" + renewDeadline.toMillis() + "ms)");
        }
        Duration debounce = r.duration("DEBOUNCE", Duration.ofMillis(50));
        Duration debounceMax = r.duration("DEBOUNCE_MAX", Duration.ofMillis(500));
        if (debounceMax.compareTo(debounce) < 0) {
            throw new InvalidSettingException(
                    PREFIX + "DEBOUNCE_MAX",
                    env.get(PREFIX + "DEBOUNCE_MAX"),
                    "must not be shorter than GANTRY_DEBOUNCE (" + debounce.toMillis() + "ms)");
        }
        String pullPolicy = r.string("IMAGE_PULL_POLICY", "IfNotPresent");
        if (!List.of("Always", "IfNotPresent", "Never").contains(pullPolicy)) {
            throw new InvalidSettingException(
                    PREFIX + "IMAGE_PULL_POLICY", pullPolicy, "must be Always, IfNotPresent or Never");
        }
        String identity = r.string("IDENTITY", hostname.isEmpty() ? "gantry-" + UUID.randomUUID() : hostname);
        return new GantrySettings(
                r.string("NAMESPACE", env.getOrDefault("POD_NAMESPACE", "gantry-system")),
                r.string("CONTROLLER_NAME", TranslatorConfig.DEFAULT_CONTROLLER_NAME),
                r.dnsName("GATEWAY_CLASS_NAME", "gantry"),
                r.bool("MANAGE_GATEWAY_CLASS", true),
                r.optionalDnsName("XDS_SERVICE"),
                r.optionalDnsName("SHARD_SERVICE"),
                r.optionalDnsName("SHARD_STATEFULSET"),
                shardCount,
                shardIndex,
                r.integer("XDS_PORT", 18000, 1, 65535),
                r.integer("ADMIN_PORT", 9090, 1, 65535),
                r.string("CLUSTER_DOMAIN", "cluster.local"),
                r.dnsName("LEASE_NAME", "gantry-controller"),
                leaseDuration,
                renewDeadline,
                retryPeriod,
                identity,
                r.decimal("STATUS_QPS", 200, 0.1, 100_000),
                r.integer("STATUS_BURST", 1000, 1, 100_000),
                debounce,
                debounceMax,
                r.duration("XDS_HOLD_TIMEOUT", Duration.ofSeconds(30)),
                r.bool("PROVISION_PROXIES", true),
                r.string("ENVOY_IMAGE", "docker.io/envoyproxy/envoy:v1.36.2"),
                pullPolicy,
                r.integer("ENVOY_REPLICAS", 2, 0, 1000),
                r.integer("MAX_LISTENERS_PER_GATEWAY", 10_000, 1, 1_000_000),
                r.bool("XDS_INSECURE", false),
                r.dnsName("CA_SECRET", "gantry-ca"),
                r.dnsName("XDS_SERVING_SECRET", "gantry-xds-serving"),
                r.names("XDS_SERVING_NAMES"),
                r.duration("PROXY_CREDENTIAL_TTL", Duration.ofHours(24), Duration.ofSeconds(5), Duration.ofHours(8760)),
                r.duration(
                        "XDS_SERVING_CERT_TTL", Duration.ofHours(720), Duration.ofSeconds(5), Duration.ofHours(8760)),
                r.duration(
                        "XDS_MAX_STREAM_AGE", Duration.ofMinutes(30), Duration.ofSeconds(1), Duration.ofHours(8760)));
    }

    /** The translator's view of these settings. */
    public TranslatorConfig translatorConfig() {
        return new TranslatorConfig(
                controllerName,
                clusterDomain,
                maxListenersPerGateway,
                ProxyParameters.defaults(envoyImage, envoyReplicas));
    }

    /** The ordinal of a StatefulSet pod name ({@code name-3} gives 3), or 0. */
    static int ordinalOf(String hostname) {
        int dash = hostname.lastIndexOf('-');
        if (dash < 0 || dash == hostname.length() - 1) {
            return 0;
        }
        try {
            return Integer.parseInt(hostname.substring(dash + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A setting that cannot be used, with the variable and value that caused it. */
    public static final class InvalidSettingException extends IllegalArgumentException {
        private final String variable;

        public InvalidSettingException(String variable, String value, String problem) {
            super(variable + "='" + value + "': " + problem);
            this.variable = variable;
        }

        public String variable() {
            return variable;
        }
    }

    private record Reader(Map<String, String> env) {

        private <T> T read(String name, T fallback, Function<String, T> parse, String expected) {
            String variable = PREFIX + name;
            String value = env.get(variable);
            if (value == null || value.isBlank()) {
                return fallback;
            }
            T parsed;
            try {
                parsed = parse.apply(value.trim());
            } catch (RuntimeException e) {
                parsed = null;
            }
            if (parsed == null) {
                throw new InvalidSettingException(variable, value, "expected " + expected);
            }
            return parsed;
        }

        String string(String name, String fallback) {
            return read(name, fallback, v -> v, "a string");
        }

        String dnsName(String name, String fallback) {
            return read(
                    name,
                    fallback,
                    v -> v.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") && v.length() <= 253 ? v : null,
                    "a lowercase DNS name");
        }

        String optionalDnsName(String name) {
            return dnsName(name, null);
        }

        boolean bool(String name, boolean fallback) {
            return read(
                    name,
                    fallback,
                    v -> switch (v.toLowerCase(Locale.ROOT)) {
                        case "true", "1", "yes" -> Boolean.TRUE;
                        case "false", "0", "no" -> Boolean.FALSE;
                        default -> null;
                    },
                    "true or false");
        }

        int integer(String name, int fallback, int min, int max) {
            return read(
                    name,
                    fallback,
                    v -> {
                        int parsed = Integer.parseInt(v);
                        return parsed >= min && parsed <= max ? parsed : null;
                    },
                    "a whole number from " + min + " to " + max);
        }

        double decimal(String name, double fallback, double min, double max) {
            return read(
                    name,
                    fallback,
                    v -> {
                        double parsed = Double.parseDouble(v);
                        return parsed >= min && parsed <= max ? parsed : null;
                    },
                    "a number from " + min + " to " + max);
        }

        Duration duration(String name, Duration fallback) {
            return read(name, fallback, Durations::parse, "a duration such as 500ms, 15s or 1m30s");
        }

        Duration duration(String name, Duration fallback, Duration min, Duration max) {
            return read(
                    name,
                    fallback,
                    v -> {
                        Duration parsed = Durations.parse(v);
                        return parsed != null && parsed.compareTo(min) >= 0 && parsed.compareTo(max) <= 0
                                ? parsed
                                : null;
                    },
                    "a duration from " + min.toSeconds() + "s to " + max.toHours() + "h, such as 30m or 24h");
        }

        /** A comma-separated list of DNS names (wildcards allowed) and IP addresses. */
        List<String> names(String name) {
            return read(
                    name,
                    List.of(),
                    v -> {
                        List<String> names = new ArrayList<>();
                        for (String part : v.split(",")) {
                            String trimmed = part.trim().toLowerCase(Locale.ROOT);
                            if (trimmed.isEmpty()) {
                                continue;
                            }
                            if (!trimmed.matches("(\\*\\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?")
                                    && !trimmed.matches("[0-9a-f:.]+")) {
                                return null;
                            }
                            names.add(trimmed);
                        }
                        return names;
                    },
                    "DNS names or IP addresses separated by commas");
        }
    }

    /** Variables set in an environment that Gantry does not know, so typos are reported at start. */
    public static List<String> unknownVariables(Map<String, String> env) {
        List<String> known = List.of(
                "NAMESPACE",
                "CONTROLLER_NAME",
                "GATEWAY_CLASS_NAME",
                "MANAGE_GATEWAY_CLASS",
                "XDS_SERVICE",
                "SHARD_SERVICE",
                "SHARD_STATEFULSET",
                "SHARD_COUNT",
                "SHARD_INDEX",
                "XDS_PORT",
                "ADMIN_PORT",
                "CLUSTER_DOMAIN",
                "LEASE_NAME",
                "LEASE_DURATION",
                "RENEW_DEADLINE",
                "RETRY_PERIOD",
                "IDENTITY",
                "STATUS_QPS",
                "STATUS_BURST",
                "DEBOUNCE",
                "DEBOUNCE_MAX",
                "XDS_HOLD_TIMEOUT",
                "PROVISION_PROXIES",
                "ENVOY_IMAGE",
                "IMAGE_PULL_POLICY",
                "ENVOY_REPLICAS",
                "MAX_LISTENERS_PER_GATEWAY",
                "XDS_INSECURE",
                "CA_SECRET",
                "XDS_SERVING_SECRET",
                "XDS_SERVING_NAMES",
                "PROXY_CREDENTIAL_TTL",
                "XDS_SERVING_CERT_TTL",
                "XDS_MAX_STREAM_AGE");
        List<String> unknown = new ArrayList<>();
        for (String variable : env.keySet()) {
            if (variable.startsWith(PREFIX) && !known.contains(variable.substring(PREFIX.length()))) {
                unknown.add(variable);
            }
        }
        unknown.sort(null);
        return unknown;
    }
}
