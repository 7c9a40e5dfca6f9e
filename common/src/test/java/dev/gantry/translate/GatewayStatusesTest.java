package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.ObjectKey;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.ListenerStatusIr;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.status.Reasons;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The Gateway and ListenerSet status rules, on plans of small Gateways with no route placed. */
class GatewayStatusesTest {

    private static final ObjectKey GATEWAY = new ObjectKey("infra", "gw");

    private static GatewayPlan plan(UnaryOperator<GatewaySpecBuilder> spec, HasMetadata... more) {
        List<HasMetadata> objects = new ArrayList<>(List.of(
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
                        .withGeneration(3L)
                        .endMetadata()
                        .withSpec(spec.apply(new GatewaySpecBuilder().withGatewayClassName("gantry"))
                                .build())
                        .build()));
        objects.addAll(List.of(more));
        return GatewayPlanner.plan(ClusterStore.of(objects), GATEWAY, TranslatorConfig.defaults());
    }

    private static ObjectStatusIr.GatewayStatus status(GatewayPlan plan) {
        return GatewayStatuses.gateway(plan, GATEWAY, l -> GatewayStatuses.listener(plan, GATEWAY, l, 0));
    }

    private static ConditionIr condition(List<ConditionIr> conditions, String type) {
        return conditions.stream()
                .filter(c -> c.type().equals(type))
                .findFirst()
                .orElseThrow();
    }

    private static void assertCondition(ConditionIr condition, boolean status, String reason) {
        assertEquals(status, condition.isTrue(), condition.toString());
        assertEquals(reason, condition.reason(), condition.toString());
        assertEquals(3, condition.observedGeneration());
    }

    @Test
    void anAcceptedGatewayWithAnAddressIsProgrammed() {
        ObjectStatusIr.GatewayStatus status = status(plan(s -> s.addNewAddress()
                .withValue("10.0.0.1")
                .endAddress()
                .addNewListener()
                .withName("http")
                .withPort(80)
                .withProtocol("HTTP")
                .endListener()));
        assertCondition(condition(status.conditions(), Reasons.ACCEPTED), true, Reasons.ACCEPTED);
        assertCondition(condition(status.conditions(), Reasons.PROGRAMMED), true, Reasons.PROGRAMMED);
        assertEquals(2, status.conditions().size());
    }

    @Test
    void withoutAnAddressItIsAcceptedButNotProgrammed() {
        ObjectStatusIr.GatewayStatus status = status(plan(s -> s.addNewListener()
                .withName("http")
                .withPort(80)
                .withProtocol("HTTP")
                .endListener()));
        assertCondition(condition(status.conditions(), Reasons.PROGRAMMED), false, Reasons.ADDRESS_NOT_ASSIGNED);
    }

    @Test
    void someInvalidListenersLeaveItAcceptedWithListenersNotValidAndNoneLeaveItNotAccepted() {
        ObjectStatusIr.GatewayStatus some = status(plan(s -> s.addNewAddress()
                .withValue("10.0.0.1")
                .endAddress()
                .addNewListener()
                .withName("http")
                .withPort(80)
                .withProtocol("HTTP")
                .endListener()
                .addNewListener()
                .withName("sctp")
                .withPort(81)
                .withProtocol("SCTP")
                .endListener()));
        ConditionIr accepted = condition(some.conditions(), Reasons.ACCEPTED);
        assertCondition(accepted, true, Reasons.LISTENERS_NOT_VALID);
        assertTrue(accepted.message().startsWith("1 of 2 listeners are not valid"), accepted.message());

        ObjectStatusIr.GatewayStatus none = status(plan(s -> s.addNewAddress()
                .withValue("10.0.0.1")
                .endAddress()
                .addNewListener()
                .withName("sctp")
                .withPort(81)
                .withProtocol("SCTP")
                .endListener()));
        assertCondition(condition(none.conditions(), Reasons.ACCEPTED), false, Reasons.LISTENERS_NOT_VALID);
        assertCondition(condition(none.conditions(), Reasons.PROGRAMMED), false, Reasons.INVALID);
    }

    @Test
    void theListenersOfAGatewayNotAcceptedAreNotProgrammed() {
        GatewayPlan plan = plan(s -> s.addNewAddress()
                .withType("NamedAddress")
                .withValue("pool")
                .endAddress()
                .addNewListener()
                .withName("http")
                .withPort(80)
                .withProtocol("HTTP")
                .endListener());
        ObjectStatusIr.GatewayStatus status = status(plan);
        assertCondition(condition(status.conditions(), Reasons.ACCEPTED), false, Reasons.UNSUPPORTED_ADDRESS);
        ListenerStatusIr listener = status.listeners().getFirst();
        ConditionIr programmed = condition(listener.conditions(), Reasons.PROGRAMMED);
        assertEquals(false, programmed.isTrue());
        assertTrue(programmed.message().startsWith("Gateway infra/gw is not accepted"), programmed.message());
    }

    @Test
    void aListenerSetTheGatewayDoesNotAllowIsNotAllowedAndOneOfAGatewayNotAcceptedHasItsParentNotAccepted() {
        HasMetadata set = new ListenerSetBuilder()
                .withNewMetadata()
                .withName("set")
                .withNamespace("team")
                .withGeneration(3L)
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
                .endListener()
                .endSpec()
                .build();
        GatewayPlan notAllowed = plan(
                s -> s.addNewListener()
                        .withName("http")
                        .withPort(80)
                        .withProtocol("HTTP")
                        .endListener(),
                set);
        ObjectStatusIr.ListenerSetStatus status = GatewayStatuses.listenerSets(
                        notAllowed, GATEWAY, l -> GatewayStatuses.listener(notAllowed, GATEWAY, l, 0))
                .get(new ObjectKey("team", "set"));
        assertCondition(condition(status.conditions(), Reasons.ACCEPTED), false, Reasons.NOT_ALLOWED);

        GatewayPlan notAccepted = plan(
                s -> s.addNewAddress()
                        .withType("NamedAddress")
                        .withValue("pool")
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
                        .endListener(),
                set);
        status = GatewayStatuses.listenerSets(
                        notAccepted, GATEWAY, l -> GatewayStatuses.listener(notAccepted, GATEWAY, l, 0))
                .get(new ObjectKey("team", "set"));
        assertCondition(condition(status.conditions(), Reasons.ACCEPTED), false, Reasons.PARENT_NOT_ACCEPTED);
        assertEquals(0, status(notAccepted).attachedListenerSets());
    }
}
