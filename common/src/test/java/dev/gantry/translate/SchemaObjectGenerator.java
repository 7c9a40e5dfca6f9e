package dev.gantry.translate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Random Gateway API objects that satisfy the OpenAPI schema of the v1.6.1 CRDs (types, enums, patterns, lengths,
 * bounds, item counts, list-map keys). CEL rules are not evaluated, so objects the API server would refuse for a
 * cross-field rule also come out: the translator must cope with those too.
 *
 * <p>Strings are drawn from small pools (names, namespaces, hostnames, paths, durations) so generated objects refer
 * to each other: routes find Gateways, listeners find Secrets, grants match references.
 */
final class SchemaObjectGenerator {

    static final List<String> NAMES =
            List.of("gw", "gw", "gw", "a", "b", "app", "app", "cert", "ca", "missing", "gantry");
    static final List<String> NAMESPACES = List.of("default", "default", "team-a", "team-b");

    private static final List<String> COMMON_POOL = List.of(
            "gw",
            "a",
            "b",
            "app",
            "cert",
            "ca",
            "missing",
            "gantry",
            "http",
            "https",
            "tcp",
            "default",
            "team-a",
            "team-b",
            "example.com",
            "*.example.com",
            "a.example.com",
            "*.a.example.com",
            "b.example.org",
            "localhost",
            "x",
            "/",
            "/a",
            "/a/",
            "/a/b",
            "/b",
            "//",
            "/a%20b",
            "/.*",
            "/[a-z]+",
            "(",
            "*",
            "0s",
            "1ms",
            "10ms",
            "1s",
            "1h",
            "1m30s",
            "99999h",
            "x-a",
            "X-B",
            "host",
            "content-type",
            "v",
            "",
            "gateway.networking.k8s.io",
            "example.com",
            "Gateway",
            "ListenerSet",
            "Service",
            "Secret",
            "ConfigMap",
            "HTTPRoute",
            "Foo",
            "gantry.dev/gateway-controller",
            "other.dev/controller",
            "https://a.example.com",
            "http://*.example.com",
            "*",
            "GET",
            "kubernetes.io/h2c",
            "kubernetes.io/ws",
            "spiffe://example/a",
            "echo.v1.Echo",
            "Say",
            "System",
            "1.2.3.4",
            "192.0.2.1",
            "::1",
            "a.b");

    /** Optional fields that make a whole object invalid when random, so they come less often. */
    private static final Set<String> NOISY = Set.of(
            "infrastructure",
            "addresses",
            "parametersRef",
            "tls",
            "allowedRoutes",
            "allowedListeners",
            "frontendValidation",
            "backend",
            "default",
            "perPort",
            "port",
            "sectionName",
            "namespace");

    private final Map<String, Map<String, Object>> schemas;
    private final Map<String, Pattern> patterns = new LinkedHashMap<>();
    private final Random random;

    SchemaObjectGenerator(Random random) {
        this.random = random;
        this.schemas = loadSchemas();
    }

    Set<String> kinds() {
        return schemas.keySet();
    }

    /** A random object of a Gateway API kind, as the map the API server would store. */
    Map<String, Object> generate(String kind) {
        Map<String, Object> schema = schemas.get(kind);
        if (schema == null) {
            throw new IllegalArgumentException("no schema for " + kind);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("apiVersion", "gateway.networking.k8s.io/v1");
        object.put("kind", kind);
        Map<String, Object> metadata = new LinkedHashMap<>();
        // Gateways share few names so that references find them; other objects mostly have names of their own.
        metadata.put(
                "name",
                switch (kind) {
                    case "Gateway", "GatewayClass" -> pick(NAMES);
                    case "ListenerSet" -> random.nextInt(4) == 0 ? pick(NAMES) : "ls-" + random.nextInt(20);
                    default -> "o-" + random.nextInt(40);
                });
        if (!kind.equals("GatewayClass")) {
            metadata.put("namespace", pick(NAMESPACES));
        }
        metadata.put("generation", 1 + random.nextInt(4));
        metadata.put("creationTimestamp", "2026-01-0" + (1 + random.nextInt(3)) + "T00:00:00Z");
        metadata.put("uid", "uid-" + random.nextInt(1_000_000));
        if (random.nextBoolean()) {
            metadata.put("labels", Map.of("team", pick(List.of("a", "b"))));
        }
        object.put("metadata", metadata);
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) properties.get("spec");
        if (spec != null) {
            object.put("spec", value("spec", spec, 0, ""));
        }
        return object;
    }

    private Object value(String field, Map<String, Object> schema, int depth, String outer) {
        // References are filled from pools that fit what they refer to: the nearest enclosing reference field.
        String context = field.endsWith("Ref") || field.endsWith("Refs") || field.equals("from") || field.equals("to")
                ? field
                : outer;
        if (schema.containsKey("enum")) {
            List<?> values = (List<?>) schema.get("enum");
            return values.get(random.nextInt(values.size()));
        }
        if (Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"))) {
            return random.nextBoolean() ? integer(field, schema) : string(field, schema, context);
        }
        String type = String.valueOf(schema.get("type"));
        return switch (type) {
            case "object" -> object(schema, depth, context);
            case "array" -> array(field, schema, depth, context);
            case "string" -> string(field, schema, context);
            case "integer", "number" -> integer(field, schema);
            case "boolean" -> random.nextBoolean();
            default -> object(schema, depth, context);
        };
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> object(Map<String, Object> schema, int depth, String context) {
        Map<String, Object> result = new LinkedHashMap<>();
        Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
        if (properties == null) {
            Object additional = schema.get("additionalProperties");
            if (additional instanceof Map<?, ?> valueSchema && depth < 8) {
                int entries = random.nextInt(3);
                for (int i = 0; i < entries; i++) {
                    result.put(
                            pick(List.of("a", "b", "team", "example.com/x")),
                            value("value", (Map<String, Object>) valueSchema, depth + 1, context));
                }
            }
            return result;
        }
        List<String> required = (List<String>) schema.getOrDefault("required", List.of());
        for (Map.Entry<String, Object> property : properties.entrySet()) {
            boolean include = required.contains(property.getKey())
                    || (depth < 7 && random.nextInt(NOISY.contains(property.getKey()) ? 6 : 2) == 0);
            if (include) {
                result.put(
                        property.getKey(),
                        value(property.getKey(), (Map<String, Object>) property.getValue(), depth + 1, context));
            }
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private List<Object> array(String field, Map<String, Object> schema, int depth, String context) {
        Map<String, Object> items = (Map<String, Object>) schema.get("items");
        long min = number(schema.get("minItems"), 0);
        long max = Math.min(number(schema.get("maxItems"), 4), Math.max(min, depth < 5 ? 4 : 1));
        int count = (int) (min + (max > min ? random.nextInt((int) (max - min) + 1) : 0));
        List<String> mapKeys = (List<String>) schema.getOrDefault("x-kubernetes-list-map-keys", List.of());
        boolean set = "set".equals(schema.get("x-kubernetes-list-type"));
        List<Object> result = new ArrayList<>();
        Set<Object> seen = new HashSet<>();
        for (int attempt = 0; result.size() < count && attempt < count * 4 + 4; attempt++) {
            Object item = value(singular(field), items, depth + 1, context);
            Object identity = set
                    ? item
                    : mapKeys.isEmpty()
                            ? null
                            : mapKeys.stream()
                                    .map(k -> item instanceof Map<?, ?> m ? m.get(k) : null)
                                    .toList();
            if (identity == null || seen.add(identity)) {
                result.add(item);
            }
        }
        return result;
    }

    private long integer(String field, Map<String, Object> schema) {
        long min = number(schema.get("minimum"), -1);
        long max = number(schema.get("maximum"), 70_000);
        List<Long> pool = switch (field) {
            case "port" -> List.of(80L, 80L, 443L, 443L, 8080L, 5432L, 53L);
            case "weight" -> List.of(0L, 1L, 1L, 10L, 1_000_000L);
            default -> List.of();
        };
        List<Long> candidates = pool.stream().filter(v -> v >= min && v <= max).toList();
        if (!candidates.isEmpty() && random.nextInt(5) != 0) {
            return pick(candidates);
        }
        return switch (random.nextInt(4)) {
            case 0 -> min;
            case 1 -> max;
            default -> min + (long) (random.nextDouble() * Math.min(max - min, 100_000L));
        };
    }

    private String string(String field, Map<String, Object> schema, String context) {
        long minLength = number(schema.get("minLength"), 0);
        long maxLength = number(schema.get("maxLength"), 300);
        Pattern pattern = pattern((String) schema.get("pattern"));
        List<String> candidates = new ArrayList<>();
        for (String candidate : pool(field, context)) {
            if (candidate.length() >= minLength
                    && candidate.length() <= maxLength
                    && (pattern == null || pattern.matcher(candidate).find())) {
                candidates.add(candidate);
            }
        }
        if (!candidates.isEmpty() && random.nextInt(10) != 0) {
            return pick(candidates);
        }
        for (int attempt = 0; attempt < 40; attempt++) {
            String candidate = randomString((int) minLength, (int) Math.min(maxLength, minLength + 70));
            if (pattern == null || pattern.matcher(candidate).find()) {
                return candidate;
            }
        }
        if (!candidates.isEmpty()) {
            return pick(candidates);
        }
        throw new IllegalStateException("no value found for " + field + " matching " + schema.get("pattern"));
    }

    private List<String> pool(String field, String context) {
        List<String> reference = referencePool(field, context);
        if (!reference.isEmpty() && random.nextInt(8) != 0) {
            return reference;
        }
        List<String> pool = switch (field) {
            case "name" -> NAMES;
            case "protocol" ->
                List.of("HTTP", "HTTP", "HTTPS", "HTTPS", "TLS", "TCP", "UDP", "example.com/x", "TCP", "UDP", "SCTP");
            case "controllerName" ->
                List.of("gantry.dev/gateway-controller", "gantry.dev/gateway-controller", "other.dev/controller");
            case "type" ->
                List.of(
                        "IPAddress",
                        "Hostname",
                        "Exact",
                        "PathPrefix",
                        "RegularExpression",
                        "Passthrough",
                        "Terminate");
            case "gatewayClassName" -> List.of("gantry", "gantry", "gantry", "other");
            case "namespace" -> NAMESPACES;
            case "hostname", "hostnames" ->
                List.of(
                        "example.com",
                        "*.example.com",
                        "a.example.com",
                        "*.a.example.com",
                        "b.example.org",
                        "localhost",
                        "x",
                        "*.com",
                        "a-very-long-label-of-sixty-four-characters-is-too-long-for-dns" + "-x.example.com");
            case "sectionName" -> List.of("http", "https", "tls", "tcp", "a");
            case "value" -> List.of("/", "/a", "/a/", "/a/b", "//", "/a%20b", "/[a-z]+", "(", "a.example.com", "v", "");
            default -> List.of();
        };
        List<String> all = new ArrayList<>(pool);
        all.addAll(pool.isEmpty() || random.nextInt(5) == 0 ? COMMON_POOL : List.of());
        return all;
    }

    private static List<String> referencePool(String field, String context) {
        String core = "";
        String gateway = "gateway.networking.k8s.io";
        return switch (context + "." + field) {
            case "parentRefs.group", "parentRef.group", "from.group" ->
                List.of(gateway, gateway, gateway, "example.com");
            case "parentRefs.kind", "parentRef.kind" ->
                List.of("Gateway", "Gateway", "Gateway", "ListenerSet", "ListenerSet", "Service");
            case "parentRefs.name", "parentRef.name" -> List.of("gw", "gw", "gw", "a", "b");
            case "from.kind" ->
                List.of("Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute", "ListenerSet");
            case "backendRefs.group",
                    "backendRef.group",
                    "certificateRefs.group",
                    "caCertificateRefs.group",
                    "targetRefs.group",
                    "to.group",
                    "parametersRef.group" -> List.of(core, core, core, core, "example.com");
            case "backendRefs.kind", "backendRef.kind", "targetRefs.kind" ->
                List.of("Service", "Service", "Service", "Foo");
            case "backendRefs.name", "backendRef.name", "targetRefs.name" ->
                List.of("app", "app", "app", "a", "b", "missing");
            case "certificateRefs.kind" -> List.of("Secret", "Secret", "Secret", "ConfigMap");
            case "certificateRefs.name" -> List.of("cert", "cert", "cert", "missing");
            case "caCertificateRefs.kind", "parametersRef.kind" ->
                List.of("ConfigMap", "ConfigMap", "ConfigMap", "Secret");
            case "caCertificateRefs.name", "parametersRef.name" -> List.of("ca", "ca", "ca", "missing");
            case "to.kind" -> List.of("Service", "Secret", "ConfigMap");
            default -> List.of();
        };
    }

    private String randomString(int minLength, int maxLength) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-./*:_~%";
        int length = minLength + (maxLength > minLength ? random.nextInt(maxLength - minLength + 1) : 0);
        StringBuilder builder = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            builder.append(alphabet.charAt(random.nextInt(i == 0 ? 26 : alphabet.length())));
        }
        return builder.toString();
    }

    private Pattern pattern(String regex) {
        if (regex == null) {
            return null;
        }
        return patterns.computeIfAbsent(regex, r -> {
            try {
                return Pattern.compile(r);
            } catch (PatternSyntaxException e) {
                return null;
            }
        });
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private static String singular(String field) {
        return switch (field) {
            case "hostnames" -> "hostname";
            default -> field;
        };
    }

    private static long number(Object value, long fallback) {
        return value instanceof Number n ? n.longValue() : fallback;
    }

    /**
     * The experimental-channel CRDs, on common's test classpath from the Helm chart (the in-memory API bundles the same
     * file at the same path).
     */
    private static final String EXPERIMENTAL_CRDS = "/dev/gantry/gateway-api/experimental-install.yaml";

    /** The v1 openAPIV3Schema of every kind in the experimental-channel CRDs (a superset of standard). */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> loadSchemas() {
        String yaml;
        try (InputStream in = SchemaObjectGenerator.class.getResourceAsStream(EXPERIMENTAL_CRDS)) {
            if (in == null) {
                throw new IllegalStateException(EXPERIMENTAL_CRDS + " is not on the classpath");
            }
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Map<String, Object>> schemas = new LinkedHashMap<>();
        for (Object document : new Load(LoadSettings.builder()
                        .setCodePointLimit(64 * 1024 * 1024)
                        .build())
                .loadAllFromString(yaml)) {
            if (!(document instanceof Map<?, ?> crd) || !"CustomResourceDefinition".equals(crd.get("kind"))) {
                continue;
            }
            Map<String, Object> spec = (Map<String, Object>) crd.get("spec");
            String kind = (String) ((Map<String, Object>) spec.get("names")).get("kind");
            if (kind.startsWith("X")) {
                continue;
            }
            for (Map<String, Object> version : (List<Map<String, Object>>) spec.get("versions")) {
                if ("v1".equals(version.get("name"))) {
                    schemas.put(kind, (Map<String, Object>)
                            ((Map<String, Object>) version.get("schema")).get("openAPIV3Schema"));
                }
            }
        }
        return schemas;
    }
}
