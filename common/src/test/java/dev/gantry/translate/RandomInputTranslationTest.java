package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gantry.envoy.EnvoyResources;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.envoy.EnvoyValidator;
import dev.gantry.model.Kinds;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Feeds random schema-valid objects through the whole pure path (Gateway API translation, Envoy translation,
 * Envoy's field rules): no exception may escape and every Envoy resource must be one Envoy accepts.
 */
class RandomInputTranslationTest {

    private static final int OBJECTS = 10_000;
    private static final long SEED = Long.getLong("fuzz.seed", 20261122L);

    @Test
    void tenThousandRandomObjectsTranslateWithoutExceptionsIntoValidEnvoyConfig() {
        Random random = new Random(SEED);
        SchemaObjectGenerator generator = new SchemaObjectGenerator(random);
        List<String> kinds = List.copyOf(generator.kinds());
        assertTrue(
                kinds.containsAll(List.of(
                        "Gateway",
                        "ListenerSet",
                        "HTTPRoute",
                        "GRPCRoute",
                        "TLSRoute",
                        "TCPRoute",
                        "UDPRoute",
                        "ReferenceGrant",
                        "BackendTLSPolicy",
                        "GatewayClass")),
                "schemas found for " + kinds);
        EnvoyValidator validator = new EnvoyValidator();
        GatewayApiTranslator translator = new GatewayApiTranslator(TranslatorConfig.defaults());
        int generated = 0;
        int worlds = 0;
        int gatewaysTranslated = 0;
        int envoyResources = 0;
        int[] acceptedParents = {0};
        while (generated < OBJECTS) {
            long worldSeed = random.nextLong();
            Random worldRandom = new Random(worldSeed);
            SchemaObjectGenerator worldGenerator = new SchemaObjectGenerator(worldRandom);
            List<HasMetadata> objects = new ArrayList<>(fixedObjects(worldRandom));
            int size = 20 + worldRandom.nextInt(100);
            for (int i = 0; i < size; i++) {
                String kind = weightedKind(worldRandom);
                Map<String, Object> map = worldGenerator.generate(kind);
                HasMetadata object;
                try {
                    object = Serialization.unmarshal(Serialization.asJson(map));
                } catch (RuntimeException e) {
                    throw new AssertionError("the generator made a " + kind + " the model cannot read: " + map, e);
                }
                assertTrue(Kinds.ofType(object.getClass()).isPresent(), kind + " reads as " + object.getClass());
                objects.add(object);
                generated++;
            }
            worlds++;
            ClusterTranslation translation;
            try {
                translation = translator.translateAll(ClusterStore.of(objects));
            } catch (RuntimeException e) {
                throw new AssertionError("translation threw for world seed " + worldSeed + ":\n" + yaml(objects), e);
            }
            translation.statuses().values().forEach(status -> acceptedParents[0] += acceptedParents(status));
            for (GatewayTranslation gateway : translation.gateways().values()) {
                gatewaysTranslated++;
                EnvoyResources resources;
                try {
                    resources = new EnvoyTranslator().translate(gateway.ir());
                } catch (RuntimeException e) {
                    throw new AssertionError(
                            "Envoy translation threw for " + gateway.gateway() + " in world seed " + worldSeed + ":\n"
                                    + yaml(objects),
                            e);
                }
                envoyResources += resources.listeners().size()
                        + resources.routes().size()
                        + resources.clusters().size()
                        + resources.endpoints().size()
                        + resources.secrets().size();
                List<?> violations = validator.validate(resources);
                if (!violations.isEmpty()) {
                    fail("Envoy would reject resources of " + gateway.gateway() + " in world seed " + worldSeed + ": "
                            + violations + "\n" + yaml(objects));
                }
            }
        }
        System.out.printf(
                "%d objects in %d worlds: %d Gateways translated, %d route parents accepted, %d Envoy"
                        + " resources, all valid%n",
                generated, worlds, gatewaysTranslated, acceptedParents[0], envoyResources);
        assertTrue(generated >= OBJECTS);
        // The worlds must reach the translator's interesting parts, not only be rejected at the door.
        assertTrue(gatewaysTranslated > worlds, "Gateways translated: " + gatewaysTranslated + " in " + worlds);
        assertTrue(envoyResources > worlds, "Envoy resources produced: " + envoyResources + " in " + worlds);
        assertTrue(acceptedParents[0] > worlds / 4, "route parents accepted: " + acceptedParents[0] + " in " + worlds);
    }

    @Test
    void generatedObjectsFollowTheSchemaEnums() {
        SchemaObjectGenerator generator = new SchemaObjectGenerator(new Random(1));
        for (int i = 0; i < 200; i++) {
            Map<String, Object> gateway = generator.generate("Gateway");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> listeners =
                    (List<Map<String, Object>>) ((Map<String, Object>) gateway.get("spec")).get("listeners");
            assertTrue(listeners != null && !listeners.isEmpty() && listeners.size() <= 64, "listeners: " + listeners);
            assertEquals(
                    listeners.size(),
                    listeners.stream().map(l -> l.get("name")).distinct().count(),
                    "listener names are a list-map key");
        }
    }

    private static int acceptedParents(ObjectStatusIr status) {
        if (!(status instanceof ObjectStatusIr.RouteStatus route)) {
            return 0;
        }
        return (int) route.parents().stream()
                .filter(p -> p.conditions().stream().anyMatch(c -> c.type().equals("Accepted") && c.isTrue()))
                .count();
    }

    /** Kinds weighted toward the ones that exercise translation most. */
    private static String weightedKind(Random random) {
        int roll = random.nextInt(100);
        if (roll < 12) {
            return "Gateway";
        } else if (roll < 22) {
            return "ListenerSet";
        } else if (roll < 52) {
            return "HTTPRoute";
        } else if (roll < 60) {
            return "GRPCRoute";
        } else if (roll < 67) {
            return "TLSRoute";
        } else if (roll < 73) {
            return "TCPRoute";
        } else if (roll < 78) {
            return "UDPRoute";
        } else if (roll < 88) {
            return "ReferenceGrant";
        } else if (roll < 96) {
            return "BackendTLSPolicy";
        }
        return "GatewayClass";
    }

    /** The core objects the generated ones refer to: namespaces, Services with endpoints, Secrets, CA ConfigMaps. */
    private static List<HasMetadata> fixedObjects(Random random) {
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(new GatewayClassBuilder()
                .withNewMetadata()
                .withName("gantry")
                .withGeneration(1L)
                .endMetadata()
                .withNewSpec()
                .withControllerName(TranslatorConfig.DEFAULT_CONTROLLER_NAME)
                .endSpec()
                .build());
        for (String namespace : new TreeSet<>(SchemaObjectGenerator.NAMESPACES)) {
            objects.add(new NamespaceBuilder()
                    .withNewMetadata()
                    .withName(namespace)
                    .withLabels(
                            Map.of("kubernetes.io/metadata.name", namespace, "team", random.nextBoolean() ? "a" : "b"))
                    .endMetadata()
                    .build());
            for (String name : List.of("app", "a", "b")) {
                if (random.nextInt(4) == 0) {
                    continue;
                }
                List<ServicePortBuilder> ports = new ArrayList<>();
                int count = 1 + random.nextInt(3);
                for (int p = 0; p < count; p++) {
                    ports.add(new ServicePortBuilder()
                            .withName("p" + p)
                            .withPort(pick(random, List.of(1, 80, 443, 8080, 65535)))
                            .withProtocol(random.nextInt(5) == 0 ? "UDP" : "TCP")
                            .withAppProtocol(pick(
                                    random,
                                    Arrays.asList(null, "kubernetes.io/h2c", "kubernetes.io/ws", "http", "grpc"))));
                }
                boolean external = random.nextInt(6) == 0;
                objects.add(new ServiceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(namespace)
                        .endMetadata()
                        .withNewSpec()
                        .withType(external ? "ExternalName" : "ClusterIP")
                        .withExternalName(external ? pick(random, List.of("api.example.org", "10.0.0.1", "x")) : null)
                        .withPorts(ports.stream().map(ServicePortBuilder::build).toList())
                        .endSpec()
                        .build());
                if (!external && random.nextBoolean()) {
                    var slice = new EndpointSliceBuilder()
                            .withNewMetadata()
                            .withName(name + "-1")
                            .withNamespace(namespace)
                            .withLabels(Map.of("kubernetes.io/service-name", name))
                            .endMetadata()
                            .withAddressType(random.nextInt(4) == 0 ? "IPv6" : "IPv4");
                    for (int p = 0; p < count; p++) {
                        slice.addNewPort()
                                .withName("p" + p)
                                .withPort(1 + random.nextInt(65535))
                                .endPort();
                    }
                    int endpoints = random.nextInt(4);
                    for (int e = 0; e < endpoints; e++) {
                        slice.addNewEndpoint()
                                .withAddresses(pick(random, List.of("10.0.0." + e, "fd00::" + e, "192.0.2." + e)))
                                .withNewConditions()
                                .withReady(random.nextInt(4) != 0)
                                .endConditions()
                                .endEndpoint();
                    }
                    objects.add(slice.build());
                }
            }
            if (random.nextInt(4) != 0) {
                boolean valid = random.nextInt(4) != 0;
                objects.add(new SecretBuilder()
                        .withNewMetadata()
                        .withName("cert")
                        .withNamespace(namespace)
                        .endMetadata()
                        .withType("kubernetes.io/tls")
                        .withData(Map.of(
                                "tls.crt",
                                b64(valid ? TestPem.CERTIFICATE : "not a certificate"),
                                "tls.key",
                                b64(TestPem.PRIVATE_KEY)))
                        .build());
            }
            if (random.nextInt(3) != 0) {
                objects.add(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("ca")
                        .withNamespace(namespace)
                        .endMetadata()
                        .withData(Map.of("ca.crt", random.nextInt(4) != 0 ? TestPem.CERTIFICATE : "garbage"))
                        .build());
            }
        }
        return objects;
    }

    private static <T> T pick(Random random, List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String yaml(List<HasMetadata> objects) {
        StringBuilder builder = new StringBuilder();
        for (HasMetadata object : objects) {
            builder.append(Serialization.asYaml(object));
        }
        return builder.length() > 200_000 ? builder.substring(0, 200_000) + "\n..." : builder.toString();
    }
}
