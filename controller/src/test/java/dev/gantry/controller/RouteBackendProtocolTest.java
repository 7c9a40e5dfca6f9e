package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.testing.Eventually;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRouteBuilder;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A route's backend must be reachable over the route's protocol: a UDPRoute to a Service port that exists only for
 * TCP, or a TCPRoute to one that exists only for UDP, is {@code ResolvedRefs=False/UnsupportedProtocol}, not served.
 */
class RouteBackendProtocolTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private ControllerHarness harness;

    @BeforeEach
    void start() {
        harness = ControllerHarness.withController();
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
                .withName("udp")
                .withPort(5353)
                .withProtocol("UDP")
                .endListener()
                .addNewListener()
                .withName("tcp")
                .withPort(5454)
                .withProtocol("TCP")
                .endListener()
                .endSpec()
                .build());
        harness.apply(new ServiceBuilder()
                .withNewMetadata()
                .withName("dns")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("dns-tcp")
                .withPort(53)
                .withProtocol("TCP")
                .endPort()
                .addNewPort()
                .withName("syslog")
                .withPort(514)
                .withProtocol("UDP")
                .endPort()
                .endSpec()
                .build());
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @Test
    void aUdpRouteToATcpOnlyPortAndATcpRouteToAUdpOnlyPortAreUnsupportedProtocol() {
        harness.apply(new UDPRouteBuilder()
                .withNewMetadata()
                .withName("udp")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("gw")
                .withSectionName("udp")
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withName("dns")
                .withPort(53)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());
        harness.apply(new TCPRouteBuilder()
                .withNewMetadata()
                .withName("tcp")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("gw")
                .withSectionName("tcp")
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withName("dns")
                .withPort(514)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());

        assertUnsupported(
                "UDPRoute",
                () -> {
                    UDPRoute route = harness.client
                            .resources(UDPRoute.class)
                            .inNamespace("apps")
                            .withName("udp")
                            .get();
                    return route == null || route.getStatus() == null
                            ? List.of()
                            : route.getStatus().getParents();
                },
                "only for TCP; a UDPRoute needs it for UDP");
        assertUnsupported(
                "TCPRoute",
                () -> {
                    TCPRoute route = harness.client
                            .resources(TCPRoute.class)
                            .inNamespace("apps")
                            .withName("tcp")
                            .get();
                    return route == null || route.getStatus() == null
                            ? List.of()
                            : route.getStatus().getParents();
                },
                "only for UDP; a TCPRoute needs it for TCP");
    }

    private static void assertUnsupported(String kind, Supplier<List<RouteParentStatus>> parents, String says) {
        Supplier<Condition> refs = () -> parents.get().stream()
                .flatMap(p -> p.getConditions().stream())
                .filter(c -> c.getType().equals("ResolvedRefs"))
                .findFirst()
                .orElse(null);
        Eventually.await(
                TIMEOUT,
                kind + " ResolvedRefs=False/UnsupportedProtocol",
                () -> {
                    Condition condition = refs.get();
                    return condition != null
                            && condition.getStatus().equals("False")
                            && condition.getReason().equals("UnsupportedProtocol");
                },
                () -> String.valueOf(refs.get()));
        assertTrue(refs.get().getMessage().contains(says), refs.get().getMessage());
    }
}
