package dev.gantry.translate;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * How a Gateway's Envoy fleet is provisioned: defaults from settings, overridden by the GatewayClass's
 * parameters, overridden by the Gateway's. Parameters live in a ConfigMap named by {@code parametersRef}; each
 * key is optional:
 *
 * <pre>
 * image: docker.io/envoyproxy/envoy:v1.36.2
 * replicas: "3"
 * serviceType: LoadBalancer            # ClusterIP, NodePort or LoadBalancer
 * serviceAnnotations: |                # YAML map
 *   service.beta.kubernetes.io/aws-load-balancer-type: nlb
 * podLabels: |
 *   team: edge
 * podAnnotations: |
 *   prometheus.io/scrape: "true"
 * resources: |                         # a container's resources block
 *   requests: {cpu: 500m, memory: 256Mi}
 * </pre>
 *
 * @param image Envoy image
 * @param replicas Deployment replicas
 * @param serviceType proxy Service type
 * @param serviceAnnotations annotations of the proxy Service
 * @param podLabels extra labels of proxy pods
 * @param podAnnotations extra annotations of proxy pods
 * @param resources container resources
 */
public record ProxyParameters(
        String image,
        int replicas,
        String serviceType,
        Map<String, String> serviceAnnotations,
        Map<String, String> podLabels,
        Map<String, String> podAnnotations,
        ResourceRequirements resources) {

    private static final Set<String> KEYS = Set.of(
            "image", "replicas", "serviceType", "serviceAnnotations", "podLabels", "podAnnotations", "resources");
    private static final Set<String> SERVICE_TYPES = Set.of("ClusterIP", "NodePort", "LoadBalancer");
    /** Reads the YAML (or JSON) values of a parameters ConfigMap; immutable once built, so shared. */
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    public ProxyParameters {
        serviceAnnotations = Map.copyOf(serviceAnnotations);
        podLabels = Map.copyOf(podLabels);
        podAnnotations = Map.copyOf(podAnnotations);
    }

    /** Built-in defaults for everything settings do not decide. */
    public static ProxyParameters defaults(String image, int replicas) {
        ResourceRequirements resources = new ResourceRequirements();
        resources.setRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("128Mi")));
        return new ProxyParameters(image, replicas, "LoadBalancer", Map.of(), Map.of(), Map.of(), resources);
    }

    /** Parameters after applying a ConfigMap's overrides, or why the ConfigMap is unusable. */
    public sealed interface Result {
        /** The merged parameters. */
        record Valid(ProxyParameters parameters) implements Result {}

        /** What is wrong with the ConfigMap. */
        record Invalid(String problem) implements Result {}
    }

    /** Applies the keys of a parameters ConfigMap on top of these parameters. */
    public Result overriddenBy(ConfigMap configMap) {
        String where = "ConfigMap " + configMap.getMetadata().getNamespace() + "/"
                + configMap.getMetadata().getName();
        Map<String, String> data = configMap.getData() == null ? Map.of() : configMap.getData();
        for (String key : data.keySet()) {
            if (!KEYS.contains(key)) {
                return new Result.Invalid(where + ": unknown key '" + key + "' (known: "
                        + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        try {
            String newImage = data.getOrDefault("image", image).trim();
            if (newImage.isEmpty() || newImage.contains(" ")) {
                return new Result.Invalid(where + ": image '" + newImage + "' is not an image reference");
            }
            int newReplicas = replicas;
            if (data.containsKey("replicas")) {
                try {
                    newReplicas = Integer.parseInt(data.get("replicas").trim());
                } catch (NumberFormatException e) {
                    return new Result.Invalid(
                            where + ": replicas '" + data.get("replicas") + "' is not a whole number");
                }
                if (newReplicas < 0 || newReplicas > 1000) {
                    return new Result.Invalid(where + ": replicas must be within 0-1000");
                }
            }
            String newType = data.getOrDefault("serviceType", serviceType).trim();
            if (!SERVICE_TYPES.contains(newType)) {
                return new Result.Invalid(
                        where + ": serviceType '" + newType + "' is not ClusterIP, NodePort or LoadBalancer");
            }
            ResourceRequirements newResources = resources;
            if (data.containsKey("resources")) {
                newResources = YAML.readValue(data.get("resources"), ResourceRequirements.class);
                if (newResources == null) {
                    return new Result.Invalid(where + ": resources is empty");
                }
            }
            return new Result.Valid(new ProxyParameters(
                    newImage,
                    newReplicas,
                    newType,
                    stringMap(where, "serviceAnnotations", data, serviceAnnotations),
                    stringMap(where, "podLabels", data, podLabels),
                    stringMap(where, "podAnnotations", data, podAnnotations),
                    newResources));
        } catch (IllegalArgumentException e) {
            return new Result.Invalid(e.getMessage());
        } catch (RuntimeException e) {
            return new Result.Invalid(where + ": cannot be read: " + e.getMessage());
        }
    }

    private static Map<String, String> stringMap(
            String where, String key, Map<String, String> data, Map<String, String> fallback) {
        if (!data.containsKey(key)) {
            return fallback;
        }
        Object parsed;
        try {
            parsed = YAML.readValue(data.get(key), Object.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": " + key + " is not a YAML map: " + e.getMessage());
        }
        if (parsed == null) {
            return Map.of();
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(where + ": " + key + " must be a YAML map of strings");
        }
        Map<String, String> result = new LinkedHashMap<>(fallback);
        for (var entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String name)
                    || entry.getValue() instanceof Map
                    || entry.getValue() instanceof List
                    || entry.getValue() == null) {
                throw new IllegalArgumentException(where + ": " + key + " must map strings to strings");
            }
            result.put(name, String.valueOf(entry.getValue()));
        }
        return result;
    }
}
