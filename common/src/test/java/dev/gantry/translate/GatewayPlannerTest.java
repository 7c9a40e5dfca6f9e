package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.ir.PortIr;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.Reasons;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Gateway-level rules, case by case: whose Gateway, accepted or not, allowed ListenerSets, units. */
class GatewayPlannerTest {

    private static final ObjectKey GATEWAY = new ObjectKey("infra", "gw");
    private static final TranslatorConfig CONFIG = TranslatorConfig.defaults();

    private static HasMetadata gatewayClass(String name, String controller) {
        return new GatewayClassBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withControllerName(controller)
                .endSpec()
                .build();
    }

    private static HasMetadata gateway(String className, UnaryOperator<GatewaySpecBuilder> spec) {
        return new GatewayBuilder()
                .withNewMetadata()
                .withName("gw")
                .withNamespace("infra")
                .withGeneration(1L)
                .endMetadata()
                .withSpec(spec.apply(new GatewaySpecBuilder().withGatewayClassName(className))
                        .build())
                .build();
    }

    private static GatewayPlan plan(HasMetadata... objects) {
        List<HasMetadata> all = new ArrayList<>(
                List.of(gatewayClass("gantry", CONFIG.controllerName()), gatewayClass("other", "example.com/other")));
        all.addAll(List.of(objects));
        return GatewayPlanner.plan(ClusterStore.of(all), GATEWAY, CONFIG);
    }

    @Test
    void aMissingGatewayOrOneOfAnotherControllerIsNotOurs() {
        assertSame(GatewayPlan.NOT_OURS, plan());
        assertSame(GatewayPlan.NOT_OURS, plan(gateway("other", s -> s)));
        assertSame(GatewayPlan.NOT_OURS, plan(gateway("no-such-class", s -> s)));
    }

    @Test
    void anUnsupportedAddressMakesTheGatewayNotAcceptedAndServesNothing() {
        GatewayPlan plan = plan(gateway(
                "gantry",
                s -> s.addNewAddress()
                        .withType("NamedAddress")
                        .withValue("pool")
                        .endAddress()
                        .addNewListener()
                        .withName("http")
                        .withPort(80)
                        .withProtocol("HTTP")
                        .endListener()));
        assertTrue(plan.ours());
        assertFalse(plan.usable());
        GatewayPlan.Verdict.NotAccepted verdict = (GatewayPlan.Verdict.NotAccepted) plan.verdict();
        assertEquals(Reasons.UNSUPPORTED_ADDRESS, verdict.reason());
        assertTrue(verdict.message().contains("NamedAddress"), verdict.message());
        assertEquals(List.of(), plan.exposed());
        assertSame(GatewayPlan.Units.NONE, plan.units());
    }

    @ParameterizedTest(name = "allowedListeners from {0}: a ListenerSet in {1} allowed = {2}")
    @CsvSource({
        "None, infra, false",
        "Same, infra, true",
        "Same, team, false",
        "All, team, true",
        "Selector, team, true",
        "Selector, other, false"
    })
    void listenerSetsAttachAsTheGatewayAllows(String from, String namespace, boolean allowed) {
        GatewayPlan plan = plan(
                gateway(
                        "gantry",
                        s -> s.withNewAllowedListeners()
                                .withNewNamespaces()
                                .withFrom(from)
                                .withNewSelector()
                                .addToMatchLabels("gateway-access", "yes")
                                .endSelector()
                                .endNamespaces()
                                .endAllowedListeners()
                                .addNewListener()
                                .withName("http")
                                .withPort(80)
                                .withProtocol("HTTP")
                                .endListener()),
                new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("team")
                        .addToLabels("gateway-access", "yes")
                        .endMetadata()
                        .build(),
                new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("other")
                        .endMetadata()
                        .build(),
                new ListenerSetBuilder()
                        .withNewMetadata()
                        .withName("set")
                        .withNamespace(namespace)
                        .withGeneration(1L)
                        .endMetadata()
                        .withNewSpec()
                        .withNewParentRef()
                        .withName("gw")
                        .withNamespace("infra")
                        .endParentRef()
                        .addNewListener()
                        .withName("team")
                        .withPort(8080)
                        .withProtocol("HTTP")
                        .withHostname("team.example.com")
                        .endListener()
                        .endSpec()
                        .build());
        assertEquals(
                allowed ? 2 : 1, plan.owners().size(), plan.owners().keySet().toString());
        assertEquals(allowed ? 2 : 1, plan.listeners().size());
        assertEquals(2, plan.parents().size(), "a ListenerSet not allowed is still a parent routes may name");
        assertEquals(
                allowed ? Set.of(80, 8080) : Set.of(80),
                plan.exposed().stream().map(ExposedPort::port).collect(Collectors.toSet()));
    }

    @Test
    void eachSocketBecomesTheUnitsItsRoutesFill() {
        GatewayPlan plan = plan(gateway(
                "gantry",
                s -> s.addNewListener()
                        .withName("http")
                        .withPort(80)
                        .withProtocol("HTTP")
                        .endListener()
                        .addNewListener()
                        .withName("http-b")
                        .withPort(80)
                        .withProtocol("HTTP")
                        .withHostname("b.example.com")
                        .endListener()
                        .addNewListener()
                        .withName("tls")
                        .withPort(443)
                        .withProtocol("TLS")
                        .withHostname("p.example.com")
                        .withNewTls()
                        .withMode("Passthrough")
                        .endTls()
                        .endListener()
                        .addNewListener()
                        .withName("tcp")
                        .withPort(9000)
                        .withProtocol("TCP")
                        .endListener()
                        .addNewListener()
                        .withName("udp")
                        .withPort(5353)
                        .withProtocol("UDP")
                        .endListener()));
        assertTrue(plan.usable());
        Map<Unit, List<ListenerState>> members = plan.units().members();
        assertEquals(
                new TreeSet<>(List.<Unit>of(
                        new Unit.Port("00443/tcp"),
                        new Unit.Port("05353/udp"),
                        new Unit.Port("09000/tcp"),
                        new Unit.Table("http-80"))),
                new TreeSet<>(members.keySet()));
        assertEquals(2, members.get(new Unit.Table("http-80")).size(), "both HTTP listeners of port 80 share a table");
        assertEquals(
                Set.of("00080/tcp"), plan.units().fixedPorts().keySet(), "plain HTTP needs no route for its chain");
        PortIr http = plan.units().fixedPorts().get("00080/tcp");
        assertEquals(80, http.port());
        assertEquals(Set.of(), plan.units().httpsClaims().get("00443/tcp"), "a passthrough port has no HTTPS claims");
        for (ListenerState listener : plan.listeners()) {
            assertTrue(members.get(plan.units().unitOf().get(listener)).contains(listener), listener.describe());
        }
    }
}
