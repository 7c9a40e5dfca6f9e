package dev.gantry.controller;

import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.testing.Eventually;
import dev.gantry.translate.ClusterTranslation;
import dev.gantry.translate.GatewayApiTranslator;
import dev.gantry.translate.StatusKey;
import dev.gantry.translate.TranslatorConfig;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicyBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The controller merges each Gateway's status entries incrementally, as Gateways are retranslated one by one; a full
 * translation merges them all at once. After random batches of changes (routes naming one Gateway, both, a section,
 * a ListenerSet or a Gateway that does not exist; Services, BackendTLSPolicies and a Gateway coming and going; a
 * Gateway's listeners changing), the route and policy statuses the controller wrote must be the ones a full
 * translation of what the API holds gives.
 */
class IncrementalStatusPropertyTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> NAMESPACES = List.of("team-a", "team-b");
    private static final int ROUTES = 12;
    private static final int SERVICES = 4;
    private static final int BATCHES = 8;
    private static final int CHANGES_PER_BATCH = 6;

    private ControllerHarness harness;

    @BeforeEach
    void start() {
        harness = ControllerHarness.withController();
        NAMESPACES.forEach(n -> harness.namespace(n, Map.of()));
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void statusWrittenIncrementallyEqualsAFullTranslation(long seed) {
        Random random = new Random(seed);
        harness.apply(gateway("g1", "one.example.com"), gateway("g2", "two.example.com"), listenerSet());
        for (int batch = 0; batch < BATCHES; batch++) {
            for (int change = 0; change < CHANGES_PER_BATCH; change++) {
                change(random);
            }
            String at = "seed " + seed + ", batch " + batch;
            Eventually.await(
                    TIMEOUT,
                    at + ": written status equals a full translation's",
                    () -> mismatches().isEmpty(),
                    () -> String.join("\n", mismatches()));
        }
    }

    private void change(Random random) {
        String namespace = NAMESPACES.get(random.nextInt(NAMESPACES.size()));
        int pick = random.nextInt(11);
        if (pick < 5) {
            harness.apply(route(namespace, "r" + random.nextInt(ROUTES), random));
        } else if (pick == 5) {
            harness.client
                    .resources(HTTPRoute.class)
                    .inNamespace(namespace)
                    .withName("r" + random.nextInt(ROUTES))
                    .delete();
        } else if (pick == 6) {
            String name = "s" + random.nextInt(SERVICES);
            if (random.nextBoolean()) {
                harness.apply(new ServiceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(namespace)
                        .endMetadata()
                        .withNewSpec()
                        .addNewPort()
                        .withName("http")
                        .withPort(8080)
                        .endPort()
                        .endSpec()
                        .build());
            } else {
                harness.client.services().inNamespace(namespace).withName(name).delete();
            }
        } else if (pick == 7) {
            String service = "s" + random.nextInt(SERVICES);
            String name = "tls-" + service + "-" + random.nextInt(2);
            if (random.nextBoolean()) {
                harness.apply(new BackendTLSPolicyBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(namespace)
                        .endMetadata()
                        .withNewSpec()
                        .addNewTargetRef()
                        .withGroup("")
                        .withKind("Service")
                        .withName(service)
                        .endTargetRef()
                        .withNewValidation()
                        .withHostname(service + ".example.com")
                        .withWellKnownCACertificates("System")
                        .endValidation()
                        .endSpec()
                        .build());
            } else {
                harness.client
                        .resources(BackendTLSPolicy.class)
                        .inNamespace(namespace)
                        .withName(name)
                        .delete();
            }
        } else if (pick == 8) {
            harness.apply(gateway("g2", random.nextBoolean() ? "two.example.com" : "*.example.com"));
        } else if (pick == 9) {
            // Gone for a while: its routes keep only the entries of their other parents.
            harness.client
                    .resources(Gateway.class)
                    .inNamespace("apps")
                    .withName("g2")
                    .delete();
        } else {
            harness.apply(gateway("g1", random.nextBoolean() ? "one.example.com" : null));
        }
    }

    private static HasMetadata gateway(String name, String hostname) {
        return new GatewayBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .addNewAddress()
                .withType("IPAddress")
                .withValue("10.0.0.1")
                .endAddress()
                .withNewAllowedListeners()
                .withNewNamespaces()
                .withFrom("All")
                .endNamespaces()
                .endAllowedListeners()
                .addNewListener()
                .withName("http")
                .withPort(80)
                .withProtocol("HTTP")
                .withHostname(hostname)
                .withNewAllowedRoutes()
                .withNewNamespaces()
                .withFrom("All")
                .endNamespaces()
                .endAllowedRoutes()
                .endListener()
                .addNewListener()
                .withName("other")
                .withPort(8081)
                .withProtocol("HTTP")
                .withNewAllowedRoutes()
                .withNewNamespaces()
                .withFrom("All")
                .endNamespaces()
                .endAllowedRoutes()
                .endListener()
                .endSpec()
                .build();
    }

    private static HasMetadata listenerSet() {
        return new ListenerSetBuilder()
                .withNewMetadata()
                .withName("team")
                .withNamespace("team-a")
                .endMetadata()
                .withNewSpec()
                .withNewParentRef()
                .withName("g1")
                .withNamespace("apps")
                .endParentRef()
                .addNewListener()
                .withName("team")
                .withPort(8082)
                .withProtocol("HTTP")
                .withHostname("team.example.com")
                .withNewAllowedRoutes()
                .withNewNamespaces()
                .withFrom("All")
                .endNamespaces()
                .endAllowedRoutes()
                .endListener()
                .endSpec()
                .build();
    }

    private static HasMetadata route(String namespace, String name, Random random) {
        List<ParentReference> parents = new ArrayList<>();
        List<ParentReference> candidates = List.of(
                new ParentReferenceBuilder()
                        .withName("g1")
                        .withNamespace("apps")
                        .build(),
                new ParentReferenceBuilder()
                        .withName("g2")
                        .withNamespace("apps")
                        .build(),
                new ParentReferenceBuilder()
                        .withName("g1")
                        .withNamespace("apps")
                        .withSectionName("other")
                        .build(),
                new ParentReferenceBuilder()
                        .withName("g2")
                        .withNamespace("apps")
                        .withSectionName("missing")
                        .build(),
                new ParentReferenceBuilder()
                        .withName("g3")
                        .withNamespace("apps")
                        .build(),
                new ParentReferenceBuilder()
                        .withGroup("gateway.networking.k8s.io")
                        .withKind("ListenerSet")
                        .withName("team")
                        .withNamespace("team-a")
                        .build());
        for (ParentReference candidate : candidates) {
            if (random.nextInt(3) == 0) {
                parents.add(candidate);
            }
        }
        if (parents.isEmpty()) {
            parents.add(candidates.get(random.nextInt(candidates.size())));
        }
        // A parent named twice needs a sectionName on each reference (the HTTPRoute CRD's rule): name the whole
        // Gateway's one through its "http" listener instead.
        for (int i = 0; i < parents.size(); i++) {
            ParentReference ref = parents.get(i);
            boolean namedAgain = parents.stream()
                    .anyMatch(other -> other != ref && other.getName().equals(ref.getName()));
            if (ref.getSectionName() == null && namedAgain) {
                parents.set(
                        i,
                        new ParentReferenceBuilder(ref).withSectionName("http").build());
            }
        }
        return new HTTPRouteBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .withParentRefs(parents)
                .withHostnames(
                        random.nextBoolean()
                                ? List.of()
                                : List.of(random.nextBoolean() ? "one.example.com" : "two.example.com"))
                .addNewRule()
                .addNewBackendRef()
                .withName("s" + random.nextInt(SERVICES))
                .withPort(8080)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build();
    }

    /** The route and policy objects whose written status differs from what a full translation gives, and how. */
    private List<String> mismatches() {
        List<HasMetadata> objects = new ArrayList<>();
        for (Kind<?> kind : Kinds.ALL) {
            objects.addAll(harness.client
                    .resources(kind.type())
                    .inAnyNamespace()
                    .list()
                    .getItems());
        }
        ClusterTranslation full =
                new GatewayApiTranslator(TranslatorConfig.defaults()).translateAll(ClusterStore.of(objects));
        String controllerName = TranslatorConfig.defaults().controllerName();
        Map<String, String> wrong = new TreeMap<>();
        for (HasMetadata object : objects) {
            Kind<?> kind = Kinds.ALL.stream()
                    .filter(k -> k.type().isInstance(object))
                    .findFirst()
                    .orElseThrow();
            ObjectStatusIr empty;
            if (Kinds.ROUTES.contains(kind)) {
                empty = new ObjectStatusIr.RouteStatus(List.of());
            } else if (kind.equals(Kinds.BACKEND_TLS_POLICY)) {
                empty = new ObjectStatusIr.PolicyStatus(List.of());
            } else {
                continue;
            }
            ObjectStatusIr expected = full.statuses().getOrDefault(new StatusKey(kind, ObjectKey.of(object)), empty);
            Object differs = StatusMerger.merge(object, expected, controllerName, "2026-01-01T00:00:00Z");
            if (differs != null) {
                wrong.put(
                        kind.kind() + " " + ObjectKey.of(object),
                        "wrote " + statusOf(object) + "\n  expected " + expected);
            }
        }
        return wrong.entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue())
                .toList();
    }

    private static Object statusOf(HasMetadata object) {
        try {
            return object.getClass().getMethod("getStatus").invoke(object);
        } catch (ReflectiveOperationException e) {
            return "?";
        }
    }
}
