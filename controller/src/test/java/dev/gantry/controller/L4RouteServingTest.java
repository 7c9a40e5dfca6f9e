package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.testing.Eventually;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRouteBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What is served is what status says: a TCP or UDP listener forwards to its oldest route only, so every other route
 * attached there stays {@code Accepted} (as the conformance suite expects) but carries
 * {@code gantry.dev/Served=False/OlderRouteServed}, which goes away once it is the one served.
 */
class L4RouteServingTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String SERVED = "gantry.dev/Served";
    private ControllerHarness harness;

    @BeforeEach
    void start() {
        harness = ControllerHarness.withController();
        harness.namespace("apps", Map.of());
        harness.namespace("other", Map.of());
        harness.namespace("zeta", Map.of());
        harness.apply(new GatewayBuilder()
                .withNewMetadata()
                .withName("gw")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .addNewAddress()
                .withType("IPAddress")
                .withValue("10.0.0.1")
                .endAddress()
                .addNewListener()
                .withName("tcp")
                .withPort(9000)
                .withProtocol("TCP")
                .withNewAllowedRoutes()
                .withNewNamespaces()
                .withFrom("All")
                .endNamespaces()
                .endAllowedRoutes()
                .endListener()
                .addNewListener()
                .withName("udp")
                .withPort(5353)
                .withProtocol("UDP")
                .withNewAllowedRoutes()
                .withNewNamespaces()
                .withFrom("All")
                .endNamespaces()
                .endAllowedRoutes()
                .endListener()
                .endSpec()
                .build());
        for (String namespace : List.of("apps", "other", "zeta")) {
            harness.apply(new ServiceBuilder()
                    .withNewMetadata()
                    .withName("backend")
                    .withNamespace(namespace)
                    .endMetadata()
                    .withNewSpec()
                    .addNewPort()
                    .withName("tcp")
                    .withPort(9000)
                    .withProtocol("TCP")
                    .endPort()
                    .addNewPort()
                    .withName("udp")
                    .withPort(5353)
                    .withProtocol("UDP")
                    .endPort()
                    .endSpec()
                    .build());
        }
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    private static TCPRoute tcpRoute(String namespace, String name) {
        return new TCPRouteBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("gw")
                .withNamespace("apps")
                .withSectionName("tcp")
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withName("backend")
                .withPort(9000)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build();
    }

    private static UDPRoute udpRoute(String namespace, String name) {
        return new UDPRouteBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("gw")
                .withNamespace("apps")
                .withSectionName("udp")
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withName("backend")
                .withPort(5353)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build();
    }

    private Map<String, Condition> conditions(Class<? extends HasMetadata> kind, String namespace, String name) {
        HasMetadata route = harness.client
                .resources(kind)
                .inNamespace(namespace)
                .withName(name)
                .get();
        List<RouteParentStatus> parents = switch (route) {
            case TCPRoute r when r.getStatus() != null -> r.getStatus().getParents();
            case UDPRoute r when r.getStatus() != null -> r.getStatus().getParents();
            case null, default -> List.of();
        };
        return parents.isEmpty()
                ? Map.of()
                : parents.getFirst().getConditions().stream().collect(Collectors.toMap(Condition::getType, c -> c));
    }

    private static boolean accepted(Map<String, Condition> conditions) {
        Condition accepted = conditions.get("Accepted");
        return accepted != null && accepted.getStatus().equals("True");
    }

    private static boolean notServed(Map<String, Condition> conditions) {
        Condition served = conditions.get(SERVED);
        return accepted(conditions)
                && served != null
                && served.getStatus().equals("False")
                && served.getReason().equals("OlderRouteServed");
    }

    private int attachedRoutes(String listener) {
        Gateway gateway = harness.client
                .resources(Gateway.class)
                .inNamespace("apps")
                .withName("gw")
                .get();
        return gateway == null || gateway.getStatus() == null
                ? -1
                : gateway.getStatus().getListeners().stream()
                        .filter(l -> l.getName().equals(listener))
                        .mapToInt(ListenerStatus::getAttachedRoutes)
                        .findFirst()
                        .orElse(-1);
    }

    @Test
    void onlyTheOldestTcpRouteIsServedAndTheOthersSaySo() {
        harness.apply(tcpRoute("apps", "first"));
        Eventually.await(TIMEOUT, "first accepted", () -> accepted(conditions(TCPRoute.class, "apps", "first")));
        // Created in the same second, routes are ordered by name: "first" before "second" either way.
        harness.apply(tcpRoute("apps", "second"));

        Eventually.await(
                TIMEOUT,
                "second accepted but not served",
                () -> notServed(conditions(TCPRoute.class, "apps", "second")),
                () -> conditions(TCPRoute.class, "apps", "second").toString());
        String message =
                conditions(TCPRoute.class, "apps", "second").get(SERVED).getMessage();
        assertTrue(
                message.contains("listener 'tcp'") && message.contains("the older route first of this namespace"),
                message);
        assertFalse(conditions(TCPRoute.class, "apps", "first").containsKey(SERVED));
        Eventually.await(TIMEOUT, "both counted on the listener", () -> attachedRoutes("tcp") == 2);

        // The older route goes away: the other is served now, and its status says no more than Accepted.
        harness.client
                .resources(TCPRoute.class)
                .inNamespace("apps")
                .withName("first")
                .delete();
        Eventually.await(
                TIMEOUT,
                "second served once first is gone",
                () -> {
                    Map<String, Condition> conditions = conditions(TCPRoute.class, "apps", "second");
                    return accepted(conditions) && !conditions.containsKey(SERVED);
                },
                () -> conditions(TCPRoute.class, "apps", "second").toString());
        assertEquals(2, conditions(TCPRoute.class, "apps", "second").size());
    }

    @Test
    void aUdpRouteOfAnotherNamespaceIsNotNamedToTheRouteItShadows() {
        harness.apply(udpRoute("other", "a-first"));
        Eventually.await(TIMEOUT, "a-first accepted", () -> accepted(conditions(UDPRoute.class, "other", "a-first")));
        // Created in the same second, routes are ordered by namespace/name: "other/..." before "zeta/..." either way.
        harness.apply(udpRoute("zeta", "b-second"));

        Eventually.await(
                TIMEOUT,
                "b-second accepted but not served",
                () -> notServed(conditions(UDPRoute.class, "zeta", "b-second")),
                () -> conditions(UDPRoute.class, "zeta", "b-second").toString());
        String message =
                conditions(UDPRoute.class, "zeta", "b-second").get(SERVED).getMessage();
        assertTrue(message.contains("an older route of another namespace"), message);
        assertFalse(message.contains("a-first") || message.contains("other/"), message);
        assertFalse(conditions(UDPRoute.class, "other", "a-first").containsKey(SERVED));
    }
}
