package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.envoy.EnvoyResources;
import dev.gantry.envoy.EnvoyResourcesBuilder;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.runtime.Parallel;
import dev.gantry.view.Change;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicyBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRouteBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Holds incremental translation to the full one: after every batch of random changes, the updated translator,
 * a fresh translation of the same objects and their Envoy resources must be equal.
 */
class IncrementalTranslationTest {

    private static final String[] NAMESPACES = {"infra", "team-a", "team-b", "team-c"};
    private static final ObjectKey GATEWAY = new ObjectKey("infra", "gw");
    private static final String CERT = TestPem.CERTIFICATE;
    private static final String KEY = TestPem.PRIVATE_KEY;

    private final ClusterStore store = new ClusterStore();
    private Random random;
    private int timestamp;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void incrementalUpdatesMatchAFullTranslation(long seed) {
        random = new Random(seed);
        TranslatorConfig config = TranslatorConfig.defaults();
        for (HasMetadata object : baseWorld()) {
            store.put(object);
        }
        GatewayTranslator incremental = new GatewayTranslator(config, GATEWAY);
        incremental.translate(store);
        EnvoyResourcesBuilder builder = new EnvoyResourcesBuilder(new EnvoyTranslator());
        builder.build(incremental.ir());
        int partial = 0;
        for (int step = 0; step < 150; step++) {
            List<Change> batch = new ArrayList<>();
            int size = 1 + random.nextInt(random.nextInt(10) == 0 ? 6 : 2);
            for (int i = 0; i < size; i++) {
                batch.add(randomChange());
            }
            if (!incremental.update(store, batch).full()) {
                partial++;
            }
            GatewayTranslator fresh = new GatewayTranslator(config, GATEWAY);
            fresh.translate(store);
            String where = "seed " + seed + ", step " + step + " after "
                    + batch.stream()
                            .map(c -> c.kind().kind() + " " + c.key() + (c.isDelete() ? " deleted" : ""))
                            .toList();
            assertEquals(fresh.snapshot(), incremental.snapshot(), where);
            assertEquals(fresh.reads(), incremental.reads(), where + ": recorded reads");
            EnvoyResources expected = new EnvoyTranslator().translate(fresh.ir());
            EnvoyResources actual = builder.build(incremental.ir());
            assertEquals(expected.all(), actual.all(), where + ": Envoy resources");
            assertEquals(expected.version(), actual.version(), where + ": version");
        }
        // The comparison above means something only if most updates took the incremental path.
        assertTrue(partial > 40, "only " + partial + " of 150 updates were incremental");
    }

    /**
     * A world large enough that a full translation spreads its routes, route tables and Envoy resources over
     * threads gives what the same world built change by change on one thread gives.
     */
    @ParameterizedTest
    @ValueSource(longs = {11, 12})
    void aTranslationSpreadOverThreadsMatchesOneBuiltChangeByChange(long seed) {
        random = new Random(seed);
        TranslatorConfig config = TranslatorConfig.defaults();
        for (HasMetadata object : baseWorld()) {
            store.put(object);
        }
        var gateway = (Gateway) gateway();
        gateway.getSpec().getAllowedListeners().getNamespaces().setFrom("All");
        store.put(gateway);
        GatewayTranslator incremental = new GatewayTranslator(config, GATEWAY);
        incremental.translate(store);
        List<HasMetadata> added = new ArrayList<>();
        for (int i = 10; i < 10 + 2 * EnvoyTranslator.IN_PARALLEL; i++) {
            added.add(httpsListenerSet(i));
        }
        for (int i = 30; i < 30 + 3 * Parallel.THRESHOLD; i++) {
            added.add(route(i));
        }
        for (int from = 0; from < added.size(); from += 8) {
            List<Change> batch = new ArrayList<>();
            for (HasMetadata object : added.subList(from, Math.min(from + 8, added.size()))) {
                Kind<?> kind = Kinds.ofType(object.getClass()).orElseThrow();
                HasMetadata previous = store.get(kind, ObjectKey.of(object)).orElse(null);
                store.put(object);
                batch.add(new Change(kind, ObjectKey.of(object), previous, object));
            }
            incremental.update(store, batch);
        }
        GatewayTranslator fresh = new GatewayTranslator(config, GATEWAY);
        fresh.translate(store);
        long routes = fresh.snapshot().routeParents().stream()
                .map(GatewayTranslation.RouteParent::route)
                .distinct()
                .count();
        assertTrue(routes >= Parallel.THRESHOLD, "only " + routes + " routes: the translation stayed on one thread");
        assertTrue(
                fresh.ir().routeTables().size() >= EnvoyTranslator.IN_PARALLEL,
                "only " + fresh.ir().routeTables().size() + " route tables");
        assertEquals(incremental.snapshot(), fresh.snapshot());
        assertEquals(incremental.reads(), fresh.reads());
        EnvoyResources oneByOne = new EnvoyResourcesBuilder(new EnvoyTranslator()).build(incremental.ir());
        EnvoyResources spread = new EnvoyTranslator().translate(fresh.ir());
        assertEquals(oneByOne.all(), spread.all());
        assertEquals(oneByOne.version(), spread.version());
    }

    // ---- the world ---------------------------------------------------------------------------------------------

    /** A ListenerSet with one HTTPS listener for a hostname of its own. */
    private HasMetadata httpsListenerSet(int i) {
        return new ListenerSetBuilder()
                .withNewMetadata()
                .withName("ls-" + i)
                .withNamespace(NAMESPACES[1 + i % 3])
                .withCreationTimestamp(ts())
                .endMetadata()
                .withNewSpec()
                .withNewParentRef()
                .withName(GATEWAY.name())
                .withNamespace(GATEWAY.namespace())
                .endParentRef()
                .addNewListener()
                .withName("l0")
                .withPort(443)
                .withProtocol("HTTPS")
                .withHostname("s" + i + ".example.com")
                .withNewTls()
                .withMode("Terminate")
                .addNewCertificateRef()
                .withName("cert")
                .endCertificateRef()
                .endTls()
                .endListener()
                .endSpec()
                .build();
    }

    private List<HasMetadata> baseWorld() {
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(new GatewayClassBuilder()
                .withNewMetadata()
                .withName("gantry")
                .endMetadata()
                .withNewSpec()
                .withControllerName(TranslatorConfig.DEFAULT_CONTROLLER_NAME)
                .endSpec()
                .build());
        for (String ns : NAMESPACES) {
            objects.add(namespace(ns, random.nextBoolean()));
            objects.add(tlsSecret(ns));
            for (int s = 0; s < 3; s++) {
                objects.add(service(ns, s));
                objects.add(slice(ns, s));
            }
        }
        objects.add(gateway());
        for (int i = 0; i < 6; i++) {
            objects.add(listenerSet(i));
        }
        for (int i = 0; i < 25; i++) {
            objects.add(route(i));
        }
        return objects;
    }

    private String ts() {
        timestamp++;
        return String.format("2026-01-01T00:%02d:%02dZ", (timestamp / 60) % 60, timestamp % 60);
    }

    private HasMetadata namespace(String name, boolean labelled) {
        return new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labelled ? Map.of("team", "true") : Map.of())
                .endMetadata()
                .build();
    }

    private HasMetadata tlsSecret(String ns) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName("cert")
                .withNamespace(ns)
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(Map.of("tls.crt", b64(CERT), "tls.key", b64(KEY)))
                .build();
    }

    private HasMetadata service(String ns, int s) {
        var builder = new ServiceBuilder()
                .withNewMetadata()
                .withName("svc-" + s)
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("http")
                .withPort(80 + random.nextInt(2))
                .endPort();
        if (random.nextInt(4) == 0) {
            builder.addNewPort()
                    .withName("grpc")
                    .withPort(9000)
                    .withAppProtocol("kubernetes.io/h2c")
                    .endPort();
        }
        return builder.endSpec().build();
    }

    private HasMetadata slice(String ns, int s) {
        var builder = new EndpointSliceBuilder()
                .withNewMetadata()
                .withName("svc-" + s + "-1")
                .withNamespace(ns)
                .addToLabels("kubernetes.io/service-name", "svc-" + s)
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort()
                .withName("http")
                .withPort(8080)
                .endPort();
        int endpoints = random.nextInt(3);
        for (int e = 0; e < endpoints; e++) {
            builder.addNewEndpoint()
                    .withAddresses("10.0." + s + "." + random.nextInt(20))
                    .withNewConditions()
                    .withReady(random.nextInt(5) != 0)
                    .endConditions()
                    .endEndpoint();
        }
        return builder.build();
    }

    private HasMetadata gateway() {
        String from = List.of("All", "Selector", "Same", "None").get(random.nextInt(4));
        var builder = new GatewayBuilder()
                .withNewMetadata()
                .withName(GATEWAY.name())
                .withNamespace(GATEWAY.namespace())
                .withGeneration((long) 1 + random.nextInt(3))
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .addNewAddress()
                .withType("IPAddress")
                .withValue("10.9.9.9")
                .endAddress()
                .withNewAllowedListeners()
                .withNewNamespaces()
                .withFrom(from)
                .withNewSelector()
                .addToMatchLabels("team", "true")
                .endSelector()
                .endNamespaces()
                .endAllowedListeners()
                .addNewListener()
                .withName("http")
                .withPort(80)
                .withProtocol("HTTP")
                .withNewAllowedRoutes()
                .withNewNamespaces()
                .withFrom("All")
                .endNamespaces()
                .endAllowedRoutes()
                .endListener();
        if (random.nextBoolean()) {
            builder.addNewListener()
                    .withName("web")
                    .withPort(80)
                    .withProtocol("HTTP")
                    .withHostname("*.example.com")
                    .withNewAllowedRoutes()
                    .withNewNamespaces()
                    .withFrom("All")
                    .endNamespaces()
                    .endAllowedRoutes()
                    .endListener();
        }
        builder.addNewListener()
                .withName("tls")
                .withPort(8443)
                .withProtocol("TLS")
                .withNewTls()
                .withMode("Passthrough")
                .endTls()
                .withNewAllowedRoutes()
                .withNewNamespaces()
                .withFrom("All")
                .endNamespaces()
                .endAllowedRoutes()
                .endListener();
        builder.addNewListener()
                .withName("tcp")
                .withPort(9000)
                .withProtocol("TCP")
                .withNewAllowedRoutes()
                .withNewNamespaces()
                .withFrom("All")
                .endNamespaces()
                .endAllowedRoutes()
                .endListener();
        return builder.endSpec().build();
    }

    private HasMetadata listenerSet(int i) {
        String ns = NAMESPACES[1 + i % 3];
        var builder = new ListenerSetBuilder()
                .withNewMetadata()
                .withName("ls-" + i)
                .withNamespace(ns)
                .withCreationTimestamp(ts())
                .endMetadata()
                .withNewSpec()
                .withNewParentRef()
                .withName(GATEWAY.name())
                .withNamespace(GATEWAY.namespace())
                .endParentRef();
        int listeners = 1 + random.nextInt(2);
        for (int l = 0; l < listeners; l++) {
            int kind = random.nextInt(4);
            String host = "h" + random.nextInt(4) + ".example.com";
            switch (kind) {
                case 0 ->
                    builder.addNewListener()
                            .withName("l" + l)
                            .withPort(443)
                            .withProtocol("HTTPS")
                            .withHostname(host)
                            .withNewTls()
                            .withMode("Terminate")
                            .addNewCertificateRef()
                            .withName("cert")
                            .withNamespace(random.nextInt(4) == 0 ? "infra" : null)
                            .endCertificateRef()
                            .endTls()
                            .endListener();
                case 1 ->
                    builder.addNewListener()
                            .withName("l" + l)
                            .withPort(80)
                            .withProtocol("HTTP")
                            .withHostname(host)
                            .endListener();
                case 2 ->
                    builder.addNewListener()
                            .withName("l" + l)
                            .withPort(8443)
                            .withProtocol("TLS")
                            .withHostname(host)
                            .withNewTls()
                            .withMode(random.nextBoolean() ? "Passthrough" : "Terminate")
                            .addNewCertificateRef()
                            .withName("cert")
                            .endCertificateRef()
                            .endTls()
                            .endListener();
                default ->
                    builder.addNewListener()
                            .withName("l" + l)
                            .withPort(80)
                            .withProtocol("TCP")
                            .endListener();
            }
        }
        return builder.endSpec().build();
    }

    private HasMetadata route(int i) {
        String ns = NAMESPACES[random.nextInt(NAMESPACES.length)];
        String name = "r-" + i;
        boolean toSet = random.nextInt(3) != 0;
        String parentKind = toSet ? "ListenerSet" : "Gateway";
        String parentName = toSet ? "ls-" + random.nextInt(6) : GATEWAY.name();
        String parentNs = toSet ? NAMESPACES[1 + random.nextInt(3)] : GATEWAY.namespace();
        String section = random.nextInt(4) == 0 ? (toSet ? "l0" : "http") : null;
        int backend = random.nextInt(3);
        String backendNs = random.nextInt(6) == 0 ? NAMESPACES[random.nextInt(NAMESPACES.length)] : ns;
        long generation = 1 + random.nextInt(3);
        return switch (random.nextInt(6)) {
            case 0, 1, 2 -> {
                var rule = new HTTPRouteBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(ns)
                        .withGeneration(generation)
                        .withCreationTimestamp(ts())
                        .endMetadata()
                        .withNewSpec()
                        .addNewParentRef()
                        .withKind(parentKind)
                        .withName(parentName)
                        .withNamespace(parentNs)
                        .withSectionName(section)
                        .endParentRef()
                        .withHostnames(
                                random.nextBoolean() ? List.of() : List.of("h" + random.nextInt(4) + ".example.com"))
                        .addNewRule()
                        .addNewMatch()
                        .withNewPath()
                        .withType(random.nextBoolean() ? "PathPrefix" : "Exact")
                        .withValue("/p" + random.nextInt(3))
                        .endPath()
                        .endMatch();
                if (random.nextInt(5) == 0) {
                    rule.addNewFilter()
                            .withType("RequestRedirect")
                            .withNewRequestRedirect()
                            .withScheme("https")
                            .withStatusCode(301)
                            .endRequestRedirect()
                            .endFilter();
                } else {
                    rule.addNewBackendRef()
                            .withName("svc-" + backend)
                            .withNamespace(backendNs)
                            .withPort(80)
                            .withWeight(1 + random.nextInt(3))
                            .endBackendRef();
                    if (random.nextInt(4) == 0) {
                        rule.addNewBackendRef().withName("missing").withPort(80).endBackendRef();
                    }
                }
                if (random.nextInt(8) == 0) {
                    rule.addNewMatch()
                            .withNewPath()
                            .withType("RegularExpression")
                            .withValue(random.nextBoolean() ? "/re.*" : "/bad(")
                            .endPath()
                            .endMatch();
                }
                yield rule.endRule().endSpec().build();
            }
            case 3 ->
                new GRPCRouteBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(ns)
                        .withGeneration(generation)
                        .withCreationTimestamp(ts())
                        .endMetadata()
                        .withNewSpec()
                        .addNewParentRef()
                        .withKind(parentKind)
                        .withName(parentName)
                        .withNamespace(parentNs)
                        .endParentRef()
                        .addNewRule()
                        .addNewMatch()
                        .withNewMethod()
                        .withService("pkg.Svc")
                        .withMethod("Get")
                        .endMethod()
                        .endMatch()
                        .addNewBackendRef()
                        .withName("svc-" + backend)
                        .withPort(random.nextBoolean() ? 9000 : 80)
                        .endBackendRef()
                        .endRule()
                        .endSpec()
                        .build();
            case 4 ->
                new TLSRouteBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(ns)
                        .withGeneration(generation)
                        .withCreationTimestamp(ts())
                        .endMetadata()
                        .withNewSpec()
                        .addNewParentRef()
                        .withKind(parentKind)
                        .withName(parentName)
                        .withNamespace(parentNs)
                        .endParentRef()
                        .withHostnames("h" + random.nextInt(4) + ".example.com")
                        .addNewRule()
                        .addNewBackendRef()
                        .withName("svc-" + backend)
                        .withPort(80)
                        .endBackendRef()
                        .endRule()
                        .endSpec()
                        .build();
            default ->
                new TCPRouteBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(ns)
                        .withGeneration(generation)
                        .withCreationTimestamp(ts())
                        .endMetadata()
                        .withNewSpec()
                        .addNewParentRef()
                        .withKind(parentKind)
                        .withName(parentName)
                        .withNamespace(parentNs)
                        .endParentRef()
                        .addNewRule()
                        .addNewBackendRef()
                        .withName("svc-" + backend)
                        .withPort(80)
                        .endBackendRef()
                        .endRule()
                        .endSpec()
                        .build();
        };
    }

    // ---- changes -----------------------------------------------------------------------------------------------

    private Change randomChange() {
        int pick = random.nextInt(100);
        HasMetadata next;
        if (pick < 40) {
            next = route(random.nextInt(30));
        } else if (pick < 50) {
            next = slice(NAMESPACES[random.nextInt(NAMESPACES.length)], random.nextInt(3));
        } else if (pick < 58) {
            next = service(NAMESPACES[random.nextInt(NAMESPACES.length)], random.nextInt(4));
        } else if (pick < 64) {
            next = listenerSet(random.nextInt(7));
        } else if (pick < 68) {
            next = gateway();
        } else if (pick < 73) {
            next = namespace(NAMESPACES[1 + random.nextInt(3)], random.nextBoolean());
        } else if (pick < 80) {
            String ns = NAMESPACES[random.nextInt(NAMESPACES.length)];
            var grant = new ReferenceGrantBuilder()
                    .withNewMetadata()
                    .withName("grant")
                    .withNamespace(ns)
                    .endMetadata()
                    .withNewSpec()
                    .addNewFrom()
                    .withGroup("gateway.networking.k8s.io")
                    .withKind(List.of("HTTPRoute", "ListenerSet", "GRPCRoute", "TCPRoute")
                            .get(random.nextInt(4)))
                    .withNamespace(NAMESPACES[random.nextInt(NAMESPACES.length)])
                    .endFrom()
                    .addNewTo()
                    .withGroup("")
                    .withKind(random.nextBoolean() ? "Service" : "Secret")
                    .endTo()
                    .endSpec()
                    .build();
            next = grant;
        } else if (pick < 86) {
            String ns = NAMESPACES[random.nextInt(NAMESPACES.length)];
            next = new BackendTLSPolicyBuilder()
                    .withNewMetadata()
                    .withName("btls-" + random.nextInt(2))
                    .withNamespace(ns)
                    .withCreationTimestamp(ts())
                    .endMetadata()
                    .withNewSpec()
                    .addNewTargetRef()
                    .withGroup("")
                    .withKind("Service")
                    .withName("svc-" + random.nextInt(3))
                    .endTargetRef()
                    .withNewValidation()
                    .withHostname("backend.example.com")
                    .addNewCaCertificateRef()
                    .withGroup("")
                    .withKind("ConfigMap")
                    .withName("ca")
                    .endCaCertificateRef()
                    .endValidation()
                    .endSpec()
                    .build();
        } else if (pick < 90) {
            String ns = NAMESPACES[random.nextInt(NAMESPACES.length)];
            next = new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName("ca")
                    .withNamespace(ns)
                    .endMetadata()
                    .withData(Map.of("ca.crt", random.nextBoolean() ? CERT : "garbage"))
                    .build();
        } else {
            next = tlsSecret(NAMESPACES[random.nextInt(NAMESPACES.length)]);
            if (random.nextBoolean()) {
                ((Secret) next).setData(Map.of("tls.crt", b64("nope"), "tls.key", b64(KEY)));
            }
        }
        Kind<?> kind = Kinds.ofType(next.getClass()).orElseThrow();
        ObjectKey key = ObjectKey.of(next);
        HasMetadata previous = store.get(kind, key).orElse(null);
        if (previous != null && random.nextInt(5) == 0 && !(next instanceof Namespace)) {
            store.remove(kind, key);
            return new Change(kind, key, previous, null);
        }
        store.put(next);
        return new Change(kind, key, previous, next);
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
