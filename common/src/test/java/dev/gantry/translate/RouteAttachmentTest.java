package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.model.Routes.ParentKey;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.Reasons;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The route status rules on one Gateway: attached or not, valid or not, rules dropped, placements. */
class RouteAttachmentTest {

    private static final ObjectKey GATEWAY = new ObjectKey("infra", "gw");

    private final ClusterStore view = ClusterStore.of(List.of(
            new GatewayClassBuilder()
                    .withNewMetadata()
                    .withName("gantry")
                    .endMetadata()
                    .withNewSpec()
                    .withControllerName(TranslatorConfig.defaults().controllerName())
                    .endSpec()
                    .build(),
            new GatewayBuilder()
                    .withNewMetadata()
                    .withName("gw")
                    .withNamespace("infra")
                    .withGeneration(1L)
                    .endMetadata()
                    .withNewSpec()
                    .withGatewayClassName("gantry")
                    .addNewListener()
                    .withName("http")
                    .withPort(80)
                    .withProtocol("HTTP")
                    .withNewAllowedRoutes()
                    .withNewNamespaces()
                    .withFrom("All")
                    .endNamespaces()
                    .endAllowedRoutes()
                    .endListener()
                    .addNewListener()
                    .withName("admin")
                    .withPort(8080)
                    .withProtocol("HTTP")
                    .endListener()
                    .endSpec()
                    .build(),
            new ServiceBuilder()
                    .withNewMetadata()
                    .withName("app")
                    .withNamespace("team")
                    .endMetadata()
                    .withNewSpec()
                    .addNewPort()
                    .withPort(80)
                    .endPort()
                    .endSpec()
                    .build()));
    private final GatewayPlan plan = GatewayPlanner.plan(view, GATEWAY, TranslatorConfig.defaults());

    private RouteAttachment.Result attach(HTTPRoute route) {
        RouteRules rules = new HttpRouteTranslator(new BackendResolver(view)).translate(route);
        ParentKey[] here = route.getSpec().getParentRefs().stream()
                .map(ref -> ref.getName().equals("gw") ? GatewayPlanner.gatewayParent(GATEWAY) : null)
                .toArray(ParentKey[]::new);
        return RouteAttachment.attach(
                view,
                new RouteAttacher(plan.owners()),
                new RouteId(Kinds.HTTP_ROUTE, ObjectKey.of(route)),
                route,
                here,
                rules,
                TranslatorConfig.defaults().controllerName());
    }

    private static HTTPRouteBuilder route(String... sections) {
        HTTPRouteBuilder builder = new HTTPRouteBuilder()
                .withNewMetadata()
                .withName("r")
                .withNamespace("team")
                .withGeneration(2L)
                .endMetadata()
                .withNewSpec()
                .endSpec();
        for (String section : sections) {
            builder.editSpec()
                    .addNewParentRef()
                    .withName(section.startsWith("other") ? "other" : "gw")
                    .withNamespace("infra")
                    .withSectionName(section.isEmpty() || section.startsWith("other") ? null : section)
                    .endParentRef()
                    .endSpec();
        }
        return builder;
    }

    private static Map<String, ConditionIr> conditions(RouteAttachment.Result result, int entry) {
        return result.parents().get(entry).status().conditions().stream()
                .collect(Collectors.toMap(ConditionIr::type, c -> c));
    }

    @Test
    void aRouteAttachesWhereTheListenersAllowAndOnlyItsEntriesForThisGatewayAreMade() {
        RouteAttachment.Result result = attach(route("", "admin", "other")
                .editSpec()
                .addToRules(new HTTPRouteRuleBuilder()
                        .addNewBackendRef()
                        .withName("app")
                        .withPort(80)
                        .endBackendRef()
                        .build())
                .endSpec()
                .build());
        assertEquals(2, result.parents().size(), "the parentRef to another Gateway gets no entry here");
        assertEquals(
                List.of(0, 1),
                result.parents().stream()
                        .map(GatewayTranslation.RouteParent::parentIndex)
                        .toList());
        assertEquals(true, conditions(result, 0).get(Reasons.ACCEPTED).isTrue());
        ConditionIr admin = conditions(result, 1).get(Reasons.ACCEPTED);
        assertEquals(
                Reasons.NOT_ALLOWED_BY_LISTENERS, admin.reason(), "the admin listener admits its own namespace only");
        assertEquals(
                List.of("http"),
                result.placed().stream().map(p -> p.listener().name).toList());
        assertEquals(2, conditions(result, 0).get(Reasons.ACCEPTED).observedGeneration());
        assertTrue(result.oneRouteListeners().isEmpty());
    }

    @Test
    void aRouteWithoutAValidRuleIsNotAcceptedAndNotPlaced() {
        RouteAttachment.Result result = attach(route("")
                .editSpec()
                .addToRules(new HTTPRouteRuleBuilder()
                        .addNewMatch()
                        .withNewPath()
                        .withType("RegularExpression")
                        .withValue("/([a-z]")
                        .endPath()
                        .endMatch()
                        .build())
                .endSpec()
                .build());
        assertEquals(
                Reasons.UNSUPPORTED_VALUE,
                conditions(result, 0).get(Reasons.ACCEPTED).reason());
        assertTrue(result.placed().isEmpty());
    }

    @Test
    void droppedRulesAreSaidOnEveryEntry() {
        RouteAttachment.Result result = attach(route("", "http")
                .editSpec()
                .addToRules(new HTTPRouteRuleBuilder()
                        .addNewBackendRef()
                        .withName("app")
                        .withPort(80)
                        .endBackendRef()
                        .build())
                .addToRules(new HTTPRouteRuleBuilder()
                        .addNewMatch()
                        .withNewPath()
                        .withType("RegularExpression")
                        .withValue("/([a-z]")
                        .endPath()
                        .endMatch()
                        .build())
                .endSpec()
                .build());
        for (int entry = 0; entry < 2; entry++) {
            ConditionIr partial = conditions(result, entry).get(Reasons.PARTIALLY_INVALID);
            assertTrue(partial.isTrue() && partial.message().startsWith("Dropped Rule rules[1]"), partial.toString());
        }
        assertEquals(1, result.placed().size(), "placed once on the listener both entries reach");
    }
}
