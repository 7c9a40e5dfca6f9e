package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.testing.Eventually;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A route whose rules are partly invalid keeps its valid rules: {@code Accepted=True} and
 * {@code PartiallyInvalid=True/UnsupportedValue} with a message in the spec's "Dropped Rule" form naming each dropped
 * rule. Only a route with no valid rule left is {@code Accepted=False}. What the proxies are served of such a route is
 * tested in the xDS shard's {@code PartiallyInvalidRouteXdsTest}.
 */
class RoutePartiallyInvalidTest {

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
                .withName("http")
                .withPort(80)
                .withProtocol("HTTP")
                .endListener()
                .endSpec()
                .build());
        harness.apply(new ServiceBuilder()
                .withNewMetadata()
                .withName("backend")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("http")
                .withPort(8080)
                .endPort()
                .endSpec()
                .build());
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    static HTTPRouteRule pathRule(String type, String path, String backend) {
        return new HTTPRouteRuleBuilder()
                .addNewMatch()
                .withNewPath()
                .withType(type)
                .withValue(path)
                .endPath()
                .endMatch()
                .addNewBackendRef()
                .withName(backend)
                .withPort(8080)
                .endBackendRef()
                .build();
    }

    static HTTPRouteRule extensionRule(String name) {
        return new HTTPRouteRuleBuilder()
                .withName(name)
                .addNewMatch()
                .withNewPath()
                .withType("PathPrefix")
                .withValue("/ext")
                .endPath()
                .endMatch()
                .addNewFilter()
                .withType("ExtensionRef")
                .withNewExtensionRef()
                .withGroup("example.com")
                .withKind("Auth")
                .withName("auth")
                .endExtensionRef()
                .endFilter()
                .addNewBackendRef()
                .withName("backend")
                .withPort(8080)
                .endBackendRef()
                .build();
    }

    private void route(HTTPRouteRule... rules) {
        harness.apply(new HTTPRouteBuilder()
                .withNewMetadata()
                .withName("mixed")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("gw")
                .endParentRef()
                .withRules(rules)
                .endSpec()
                .build());
    }

    private Map<String, Condition> conditions() {
        HTTPRoute route = harness.client
                .resources(HTTPRoute.class)
                .inNamespace("apps")
                .withName("mixed")
                .get();
        return conditionsOf(
                route == null || route.getStatus() == null
                        ? List.of()
                        : route.getStatus().getParents(),
                route == null ? 0 : route.getMetadata().getGeneration());
    }

    /** The conditions of the first parent status, when they are for the given generation; else none. */
    private static Map<String, Condition> conditionsOf(List<RouteParentStatus> parents, long generation) {
        if (parents.isEmpty()
                || parents.getFirst().getConditions().stream()
                        .anyMatch(c -> c.getObservedGeneration() == null || c.getObservedGeneration() != generation)) {
            return Map.of();
        }
        return parents.getFirst().getConditions().stream().collect(Collectors.toMap(Condition::getType, c -> c));
    }

    private Map<String, Condition> await(
            String what, Supplier<Map<String, Condition>> conditions, Predicate<Map<String, Condition>> done) {
        Eventually.await(TIMEOUT, what, () -> done.test(conditions.get()), () -> String.valueOf(conditions.get()));
        return conditions.get();
    }

    private static boolean is(Map<String, Condition> conditions, String type, String status, String reason) {
        Condition c = conditions.get(type);
        return c != null && c.getStatus().equals(status) && c.getReason().equals(reason);
    }

    @Test
    void invalidRulesAreDroppedAndNamedWhileTheValidOnesKeepTheRouteAccepted() {
        route(
                pathRule("PathPrefix", "/ok", "backend"),
                pathRule("RegularExpression", "/([a-z]", "backend"),
                extensionRule("ext"));

        Map<String, Condition> conditions = await(
                "Accepted=True, PartiallyInvalid=True",
                this::conditions,
                c -> is(c, "Accepted", "True", "Accepted") && is(c, "PartiallyInvalid", "True", "UnsupportedValue"));
        String message = conditions.get("PartiallyInvalid").getMessage();
        assertTrue(message.startsWith("Dropped Rules rules[1]"), message);
        assertTrue(message.contains("invalid RE2 regular expression"), message);
        assertTrue(message.contains("rules[2] (name ext)") && message.contains("ExtensionRef"), message);
        assertFalse(message.contains("rules[0]"), message);
        assertTrue(is(conditions, "ResolvedRefs", "True", "ResolvedRefs"), conditions.toString());

        // Fixed: the condition goes away rather than staying False or stale.
        route(pathRule("PathPrefix", "/ok", "backend"), pathRule("RegularExpression", "/[a-z]+", "backend"));
        conditions = await(
                "PartiallyInvalid gone once every rule is valid",
                this::conditions,
                c -> is(c, "Accepted", "True", "Accepted") && !c.isEmpty() && !c.containsKey("PartiallyInvalid"));
        assertEquals(2, conditions.size(), conditions.toString());
    }

    @Test
    void aRouteWithNoValidRuleIsNotAccepted() {
        route(pathRule("RegularExpression", "/([a-z]", "backend"), extensionRule("ext"));

        Map<String, Condition> conditions = await(
                "Accepted=False/UnsupportedValue",
                this::conditions,
                c -> is(c, "Accepted", "False", "UnsupportedValue"));
        String message = conditions.get("Accepted").getMessage();
        assertTrue(message.startsWith("No rule is valid: rules[0]"), message);
        assertTrue(message.contains("rules[1] (name ext)"), message);
        assertNull(conditions.get("PartiallyInvalid"), conditions.toString());
    }

    @Test
    void aDroppedRuleDoesNotCountTowardsResolvedRefs() {
        route(pathRule("PathPrefix", "/ok", "backend"), pathRule("RegularExpression", "/([a-z]", "missing"));

        Map<String, Condition> conditions = await(
                "PartiallyInvalid=True", this::conditions, c -> is(c, "PartiallyInvalid", "True", "UnsupportedValue"));
        assertTrue(
                conditions.get("PartiallyInvalid").getMessage().startsWith("Dropped Rule rules[1]"),
                conditions.get("PartiallyInvalid").getMessage());
        assertTrue(is(conditions, "ResolvedRefs", "True", "ResolvedRefs"), conditions.toString());
    }

    @Test
    void aGrpcRouteDropsItsInvalidRulesToo() {
        harness.apply(new GRPCRouteBuilder()
                .withNewMetadata()
                .withName("grpc")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("gw")
                .endParentRef()
                .addNewRule()
                .addNewMatch()
                .withNewMethod()
                .withService("shop.Cart")
                .endMethod()
                .endMatch()
                .addNewBackendRef()
                .withName("backend")
                .withPort(8080)
                .endBackendRef()
                .endRule()
                .addNewRule()
                .addNewFilter()
                .withType("ExtensionRef")
                .withNewExtensionRef()
                .withGroup("example.com")
                .withKind("Auth")
                .withName("auth")
                .endExtensionRef()
                .endFilter()
                .addNewBackendRef()
                .withName("backend")
                .withPort(8080)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());

        Supplier<Map<String, Condition>> grpc = () -> {
            GRPCRoute route = harness.client
                    .resources(GRPCRoute.class)
                    .inNamespace("apps")
                    .withName("grpc")
                    .get();
            return conditionsOf(
                    route == null || route.getStatus() == null
                            ? List.of()
                            : route.getStatus().getParents(),
                    route == null ? 0 : route.getMetadata().getGeneration());
        };
        Map<String, Condition> conditions = await(
                "GRPCRoute Accepted=True, PartiallyInvalid=True",
                grpc,
                c -> is(c, "Accepted", "True", "Accepted") && is(c, "PartiallyInvalid", "True", "UnsupportedValue"));
        assertTrue(
                conditions.get("PartiallyInvalid").getMessage().startsWith("Dropped Rule rules[1]"),
                conditions.get("PartiallyInvalid").getMessage());
    }
}
