package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.envoy.EnvoyValidator;
import dev.gantry.status.AddressIr;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.status.ParentRefIr;
import dev.gantry.status.PolicyAncestorStatusIr;
import dev.gantry.status.RouteParentStatusIr;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicyBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure rules of status writing: merge, keep transition times, leave others' entries alone. */
class StatusRulesTest {

    private static final String US = "gantry.dev/gateway-controller";
    private static final ParentRefIr PARENT =
            new ParentRefIr("gateway.networking.k8s.io", "Gateway", "a", "gw", null, null);

    private static ObjectStatusIr.GatewayStatus gatewayStatus(boolean programmed) {
        return new ObjectStatusIr.GatewayStatus(
                List.of(
                        ConditionIr.of("Accepted", true, "Accepted", "ok", 2),
                        ConditionIr.of("Programmed", programmed, programmed ? "Programmed" : "Invalid", "", 2)),
                List.of(),
                List.of(new AddressIr("IPAddress", "10.0.0.1")),
                0);
    }

    @Test
    void unchangedStatusIsNotWrittenAndTransitionTimesStayUntilTheStatusFlips() {
        Gateway gateway = new GatewayBuilder()
                .withNewMetadata()
                .withName("gw")
                .withNamespace("a")
                .withGeneration(2L)
                .endMetadata()
                .build();
        GatewayStatus first =
                (GatewayStatus) StatusMerger.merge(gateway, gatewayStatus(true), US, "2026-01-01T00:00:00Z");
        gateway.setStatus(first);
        assertNull(StatusMerger.merge(gateway, gatewayStatus(true), US, "2026-01-02T00:00:00Z"), "nothing to write");
        GatewayStatus flipped =
                (GatewayStatus) StatusMerger.merge(gateway, gatewayStatus(false), US, "2026-01-03T00:00:00Z");
        Condition accepted = flipped.getConditions().stream()
                .filter(c -> c.getType().equals("Accepted"))
                .findFirst()
                .orElseThrow();
        Condition programmed = flipped.getConditions().stream()
                .filter(c -> c.getType().equals("Programmed"))
                .findFirst()
                .orElseThrow();
        assertEquals("2026-01-01T00:00:00Z", accepted.getLastTransitionTime());
        assertEquals("2026-01-03T00:00:00Z", programmed.getLastTransitionTime());
    }

    @Test
    void parentEntriesOfOtherControllersAreKept() {
        RouteParentStatus theirs = new RouteParentStatus(
                List.of(new Condition("2025-01-01T00:00:00Z", "", 1L, "Accepted", "True", "Accepted")),
                "example.com/other",
                new ParentReference("gateway.networking.k8s.io", "Gateway", "their-gw", "a", null, null));
        HTTPRoute route = new HTTPRouteBuilder()
                .withNewMetadata()
                .withName("r")
                .withNamespace("a")
                .withGeneration(1L)
                .endMetadata()
                .withStatus(new HTTPRouteStatus(List.of(theirs)))
                .build();
        ObjectStatusIr.RouteStatus desired = new ObjectStatusIr.RouteStatus(List.of(
                new RouteParentStatusIr(PARENT, US, List.of(ConditionIr.of("Accepted", true, "Accepted", "", 1)))));
        HTTPRouteStatus merged = (HTTPRouteStatus) StatusMerger.merge(route, desired, US, "2026-01-01T00:00:00Z");
        assertEquals(2, merged.getParents().size());
        assertEquals(theirs, merged.getParents().getFirst());
        route.setStatus(merged);
        HTTPRouteStatus cleared = (HTTPRouteStatus)
                StatusMerger.merge(route, new ObjectStatusIr.RouteStatus(List.of()), US, "2026-01-01T00:00:00Z");
        assertEquals(List.of(theirs), cleared.getParents(), "our entry goes, theirs stays");
    }

    @Test
    void heldBackEnvoyResourcesMakeTheGatewayNotProgrammed() {
        ObjectStatusIr.GatewayStatus status = ControllerReconciler.withViolations(
                gatewayStatus(true),
                List.of(new EnvoyValidator.Violation(
                        "RouteConfiguration",
                        "http-80",
                        "virtual_hosts[0].routes[0]",
                        "cluster: value length must be at least 1 characters")));
        ConditionIr programmed = status.conditions().get(1);
        assertEquals("False", programmed.status());
        assertEquals("Invalid", programmed.reason());
        assertTrue(programmed.message().contains("RouteConfiguration http-80"), programmed.message());
        assertEquals(gatewayStatus(true), ControllerReconciler.withViolations(gatewayStatus(true), List.of()));
    }

    @Test
    void aPolicyOfManyGatewaysListsAtMostSixteenAncestorsAndOthersEntriesStay() {
        List<PolicyAncestorStatus> theirs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            theirs.add(new PolicyAncestorStatus(
                    new ParentReference("gateway.networking.k8s.io", "Gateway", "theirs-" + i, "a", null, null),
                    List.of(new Condition("2025-01-01T00:00:00Z", "", 1L, "Accepted", "True", "Accepted")),
                    "example.com/other"));
        }
        var policy = new BackendTLSPolicyBuilder()
                .withNewMetadata()
                .withName("p")
                .withNamespace("a")
                .withGeneration(1L)
                .endMetadata()
                .withStatus(new PolicyStatus(theirs))
                .build();
        List<PolicyAncestorStatusIr> ours = new ArrayList<>();
        for (int i = 0; i < 18; i++) {
            ours.add(new PolicyAncestorStatusIr(
                    new ParentRefIr("gateway.networking.k8s.io", "Gateway", "a", "gw-" + i, null, null),
                    US,
                    List.of(ConditionIr.of("Accepted", true, "Accepted", "", 1))));
        }
        var merged = (PolicyStatus)
                StatusMerger.merge(policy, new ObjectStatusIr.PolicyStatus(ours), US, "2026-01-01T00:00:00Z");
        assertEquals(16, merged.getAncestors().size(), "the CRD's maxItems");
        assertEquals(theirs, merged.getAncestors().subList(0, 3));
        policy.setStatus(merged);
        assertNull(
                StatusMerger.merge(policy, new ObjectStatusIr.PolicyStatus(ours), US, "2026-01-02T00:00:00Z"),
                "a full list is not written again");
    }

    @Test
    void aRouteOfManyParentsListsAtMostThirtyTwoAndALongMessageIsCutToTheApisLimit() {
        HTTPRoute route = new HTTPRouteBuilder()
                .withNewMetadata()
                .withName("r")
                .withNamespace("a")
                .withGeneration(1L)
                .endMetadata()
                .build();
        List<RouteParentStatusIr> parents = new ArrayList<>();
        String longMessage = "x".repeat(40_000);
        for (int i = 0; i < 40; i++) {
            parents.add(new RouteParentStatusIr(
                    new ParentRefIr("gateway.networking.k8s.io", "Gateway", "a", "gw-" + i, null, null),
                    US,
                    List.of(ConditionIr.of("Accepted", true, "Accepted", longMessage, 1))));
        }
        HTTPRouteStatus merged = (HTTPRouteStatus)
                StatusMerger.merge(route, new ObjectStatusIr.RouteStatus(parents), US, "2026-01-01T00:00:00Z");
        assertEquals(32, merged.getParents().size(), "the CRD's maxItems");
        String message =
                merged.getParents().getFirst().getConditions().getFirst().getMessage();
        assertEquals(32768, message.length());
        assertTrue(message.endsWith("(cut at the API's limit)"));
        route.setStatus(merged);
        assertNull(
                StatusMerger.merge(route, new ObjectStatusIr.RouteStatus(parents), US, "2026-01-02T00:00:00Z"),
                "nothing changed: nothing to write");
    }
}
