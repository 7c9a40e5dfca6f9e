package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.envoy.EnvoyResources;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.envoy.EnvoyValidator;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.ListenerStatusIr;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntryBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A Gateway with 100 ListenerSets of 64 listeners each (the most the ListenerSet schema allows): all served by
 * default; past a configured cap, precisely the listeners over it are refused, and nobody else is affected.
 */
class ListenerLimitsTest {

    private static final int SETS = 100;
    private static final int LISTENERS_PER_SET = 64;
    private static final ObjectKey GATEWAY = new ObjectKey("infra", "shared");
    private static final ObjectKey LAST_SET = new ObjectKey("team-" + (SETS - 1), "on-last-set");

    @Test
    void sixThousandFourHundredListenerSetListenersAreServedByDefault() {
        ClusterTranslation translation = new GatewayApiTranslator(TranslatorConfig.defaults()).translateAll(world());

        ObjectStatusIr.GatewayStatus gateway = gatewayStatus(translation);
        assertEquals(SETS, gateway.attachedListenerSets());
        assertEquals(1, gateway.listeners().size(), "Gateway status lists only its own listeners");
        for (int s = 0; s < SETS; s++) {
            ObjectStatusIr.ListenerSetStatus set = setStatus(translation, s);
            assertCondition(set.conditions(), "Accepted", true, "Accepted");
            assertEquals(LISTENERS_PER_SET, set.listeners().size());
            set.listeners().forEach(l -> assertCondition(l.conditions(), "Programmed", true, "Programmed"));
        }
        assertRoutesUnaffected(translation);
        assertCondition(
                ((ObjectStatusIr.RouteStatus) translation.statuses().get(new StatusKey(Kinds.HTTP_ROUTE, LAST_SET)))
                        .parents()
                        .get(0)
                        .conditions(),
                "Accepted",
                true,
                "Accepted");

        EnvoyResources resources = new EnvoyTranslator()
                .translate(translation.gateways().get(GATEWAY).ir());
        assertEquals(1, resources.listeners().size(), "one Envoy listener for port 80");
        int domains = resources.routes().stream()
                .mapToInt(r -> r.resource().getVirtualHostsCount())
                .sum();
        assertEquals(3, domains, "only hostnames with routes get a virtual host");
        assertEquals(List.of(), new EnvoyValidator().validate(resources));
    }

    @Test
    void listenersPastTheCapAreRefusedWithTooManyListeners() {
        int cap = 1_000;
        TranslatorConfig defaults = TranslatorConfig.defaults();
        TranslatorConfig capped = new TranslatorConfig(
                defaults.controllerName(), defaults.clusterDomain(), cap, defaults.proxyDefaults());
        ClusterTranslation translation = new GatewayApiTranslator(capped).translateAll(world());

        // The Gateway's own listener comes first, then the sets by age: set s holds merged positions 1 + 64 s ...
        int fullSets = (cap - 1) / LISTENERS_PER_SET;
        int acceptedInSplitSet = (cap - 1) % LISTENERS_PER_SET;
        ObjectStatusIr.GatewayStatus gateway = gatewayStatus(translation);
        assertEquals(fullSets + 1, gateway.attachedListenerSets());
        assertCondition(gateway.conditions(), "Accepted", true, "Accepted");
        for (int s = 0; s < SETS; s++) {
            ObjectStatusIr.ListenerSetStatus set = setStatus(translation, s);
            int accepted = s < fullSets ? LISTENERS_PER_SET : s == fullSets ? acceptedInSplitSet : 0;
            for (int l = 0; l < LISTENERS_PER_SET; l++) {
                ListenerStatusIr listener = set.listeners().get(l);
                if (l < accepted) {
                    assertCondition(listener.conditions(), "Accepted", true, "Accepted");
                } else {
                    assertCondition(listener.conditions(), "Accepted", false, "TooManyListeners");
                    assertCondition(listener.conditions(), "Programmed", false, "Invalid");
                    assertEquals(0, listener.attachedRoutes());
                }
            }
            if (accepted == 0) {
                ConditionIr condition = assertCondition(set.conditions(), "Accepted", false, "ListenersNotValid");
                assertTrue(condition.message().contains("the most Gantry serves on one Gateway"), condition.message());
            } else {
                ConditionIr condition = assertCondition(set.conditions(), "Accepted", true, "Accepted");
                assertEquals(
                        accepted < LISTENERS_PER_SET,
                        condition.message().contains("are not valid"),
                        condition.message());
            }
        }
        assertRoutesUnaffected(translation);
        ObjectStatusIr.RouteStatus onLastSet =
                (ObjectStatusIr.RouteStatus) translation.statuses().get(new StatusKey(Kinds.HTTP_ROUTE, LAST_SET));
        ConditionIr refused =
                assertCondition(onLastSet.parents().get(0).conditions(), "Accepted", false, "NotAllowedByListeners");
        assertTrue(refused.message().contains("is accepted (listener 'l63'"), refused.message());
        assertTrue(refused.message().contains("the most Gantry serves on one Gateway"), refused.message());
        assertEquals(
                List.of(),
                new EnvoyValidator()
                        .validate(new EnvoyTranslator()
                                .translate(translation.gateways().get(GATEWAY).ir())));
    }

    /** Routes on the Gateway's listener and on the oldest set attach whatever happens to later sets. */
    private static void assertRoutesUnaffected(ClusterTranslation translation) {
        for (String route : List.of("on-gateway", "on-first-set")) {
            ObjectStatusIr.RouteStatus status = (ObjectStatusIr.RouteStatus)
                    translation.statuses().get(new StatusKey(Kinds.HTTP_ROUTE, new ObjectKey("team-0", route)));
            assertCondition(status.parents().get(0).conditions(), "Accepted", true, "Accepted");
        }
    }

    private static ClusterStore world() {
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(new GatewayClassBuilder()
                .withNewMetadata()
                .withName("gantry")
                .endMetadata()
                .withNewSpec()
                .withControllerName(TranslatorConfig.DEFAULT_CONTROLLER_NAME)
                .endSpec()
                .build());
        objects.add(new NamespaceBuilder()
                .withNewMetadata()
                .withName("infra")
                .endMetadata()
                .build());
        objects.add(new GatewayBuilder()
                .withNewMetadata()
                .withName(GATEWAY.name())
                .withNamespace(GATEWAY.namespace())
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .addNewAddress()
                .withType("IPAddress")
                .withValue("192.0.2.1")
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
                .withHostname("www.example.com")
                .withNewAllowedRoutes()
                .withNewNamespaces()
                .withFrom("All")
                .endNamespaces()
                .endAllowedRoutes()
                .endListener()
                .endSpec()
                .build());
        for (int s = 0; s < SETS; s++) {
            String namespace = "team-" + s;
            objects.add(new NamespaceBuilder()
                    .withNewMetadata()
                    .withName(namespace)
                    .endMetadata()
                    .build());
            List<ListenerEntry> listeners = new ArrayList<>();
            for (int l = 0; l < LISTENERS_PER_SET; l++) {
                listeners.add(new ListenerEntryBuilder()
                        .withName("l" + l)
                        .withPort(80)
                        .withProtocol("HTTP")
                        .withHostname("h" + l + ".team-" + s + ".example.com")
                        .build());
            }
            objects.add(new ListenerSetBuilder()
                    .withNewMetadata()
                    .withName("set")
                    .withNamespace(namespace)
                    .withCreationTimestamp(
                            Instant.parse("2026-01-01T00:00:00Z").plusSeconds(s).toString())
                    .endMetadata()
                    .withNewSpec()
                    .withNewParentRef()
                    .withName(GATEWAY.name())
                    .withNamespace(GATEWAY.namespace())
                    .endParentRef()
                    .withListeners(listeners)
                    .endSpec()
                    .build());
        }
        objects.add(new ServiceBuilder()
                .withNewMetadata()
                .withName("app")
                .withNamespace("team-0")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build());
        objects.add(route("team-0", "on-gateway", "Gateway", GATEWAY.namespace(), GATEWAY.name(), null));
        objects.add(route("team-0", "on-first-set", "ListenerSet", "team-0", "set", "l0"));
        objects.add(route(LAST_SET.namespace(), LAST_SET.name(), "ListenerSet", LAST_SET.namespace(), "set", "l63"));
        return ClusterStore.of(objects);
    }

    private static HasMetadata route(
            String routeNamespace, String name, String kind, String namespace, String parent, String section) {
        return new HTTPRouteBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(routeNamespace)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withKind(kind)
                .withNamespace(namespace)
                .withName(parent)
                .withSectionName(section)
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withName("app")
                .withPort(80)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build();
    }

    private static ObjectStatusIr.GatewayStatus gatewayStatus(ClusterTranslation translation) {
        return (ObjectStatusIr.GatewayStatus) translation.statuses().get(new StatusKey(Kinds.GATEWAY, GATEWAY));
    }

    private static ObjectStatusIr.ListenerSetStatus setStatus(ClusterTranslation translation, int set) {
        return (ObjectStatusIr.ListenerSetStatus)
                translation.statuses().get(new StatusKey(Kinds.LISTENER_SET, new ObjectKey("team-" + set, "set")));
    }

    private static ConditionIr assertCondition(
            List<ConditionIr> conditions, String type, boolean status, String reason) {
        ConditionIr condition = conditions.stream()
                .filter(c -> c.type().equals(type))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " in " + conditions));
        assertEquals(status, condition.isTrue(), type + ": " + condition);
        assertEquals(reason, condition.reason(), type + ": " + condition);
        return condition;
    }
}
