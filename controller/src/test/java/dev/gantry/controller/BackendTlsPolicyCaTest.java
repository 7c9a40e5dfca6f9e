package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.testing.Eventually;
import dev.gantry.translate.TestPem;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicyBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A BackendTLSPolicy's CA data is checked: a {@code ca.crt} that is empty, garbage or a private key makes the policy
 * {@code ResolvedRefs=False/InvalidCACertificateRef} saying which ConfigMap and what is wrong (never quoting it) and,
 * when no CA reference is usable, {@code Accepted=False/NoValidCACertificate}. With some references usable the policy
 * stays accepted and trusts only those. The route stays accepted: its backend answers 5xx.
 */
class BackendTlsPolicyCaTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String GARBAGE =
            "-----BEGIN CERTIFICATE-----\nTUlJQ2VRSUJBREFOQmdrcWhr\n-----END CERTIFICATE-----\n";
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
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @Test
    void unusableCaDataIsAnInvalidCaCertificateRefAndNoValidCaCertificate() {
        Map<String, String> cases = Map.of("empty", "", "garbage", GARBAGE, "key", TestPem.PRIVATE_KEY);
        for (String name : cases.keySet()) {
            backend(name);
            harness.apply(configMap("ca-" + name, cases.get(name)), policy(name, "ca-" + name));
        }
        for (String name : cases.keySet()) {
            // The policy may be seen before its ConfigMap (another informer): wait for the verdict on the data.
            Eventually.await(
                    TIMEOUT,
                    "policy " + name + " judged on its ConfigMap's data",
                    () -> {
                        Condition refs = condition(name, "ResolvedRefs");
                        return refs != null && refs.getMessage().startsWith("ConfigMap apps/ca-" + name + ": ca.crt ");
                    },
                    () -> String.valueOf(condition(name, "ResolvedRefs")));
            Condition accepted = await(name, "Accepted", "False", "NoValidCACertificate");
            Condition refs = await(name, "ResolvedRefs", "False", "InvalidCACertificateRef");
            assertTrue(refs.getMessage().startsWith("ConfigMap apps/ca-" + name + ": ca.crt "), refs.getMessage());
            assertFalse(
                    refs.getMessage().contains("TUlJQ2VR") || refs.getMessage().contains("MIGHAgEA"),
                    refs.getMessage());
            assertEquals(refs.getMessage(), accepted.getMessage());
        }
        assertTrue(condition("key", "ResolvedRefs").getMessage().contains("holds a private key"));
        assertTrue(condition("garbage", "ResolvedRefs").getMessage().contains("does not parse as X.509"));
        assertTrue(condition("empty", "ResolvedRefs").getMessage().contains("is empty"));

        // The route stays accepted, its backend answering 5xx (proxy side: see the shard's test).
        Eventually.await(
                TIMEOUT,
                "the route is accepted",
                () -> routeCondition("Accepted") != null
                        && routeCondition("Accepted").getStatus().equals("True"),
                () -> String.valueOf(routeCondition("Accepted")));

        // Fixed, the policy is accepted again.
        harness.apply(configMap("ca-garbage", TestPem.CERTIFICATE));
        await("garbage", "Accepted", "True", "Accepted");
        await("garbage", "ResolvedRefs", "True", "ResolvedRefs");
    }

    @Test
    void withOneUsableReferenceOfTwoThePolicyIsAcceptedAndSaysWhichIsNot() {
        backend("partial");
        harness.apply(configMap("ca-good", TestPem.CERTIFICATE), configMap("ca-bad", GARBAGE));
        harness.apply(new BackendTLSPolicyBuilder(policy("partial", "ca-good"))
                .editSpec()
                .editValidation()
                .addNewCaCertificateRef()
                .withGroup("")
                .withKind("ConfigMap")
                .withName("ca-bad")
                .endCaCertificateRef()
                .endValidation()
                .endSpec()
                .build());
        await("partial", "Accepted", "True", "Accepted");
        Condition refs = await("partial", "ResolvedRefs", "False", "InvalidCACertificateRef");
        assertTrue(
                refs.getMessage().startsWith("ConfigMap apps/ca-bad: ca.crt has a certificate that does"),
                refs.getMessage());
    }

    private void backend(String name) {
        harness.apply(new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("https")
                .withPort(443)
                .endPort()
                .endSpec()
                .build());
        HTTPRoute route = harness.client
                .resources(HTTPRoute.class)
                .inNamespace("apps")
                .withName("r")
                .get();
        HTTPRouteBuilder builder = route == null
                ? new HTTPRouteBuilder()
                        .withNewMetadata()
                        .withName("r")
                        .withNamespace("apps")
                        .endMetadata()
                        .withNewSpec()
                        .addNewParentRef()
                        .withName("gw")
                        .endParentRef()
                        .endSpec()
                : new HTTPRouteBuilder(route);
        harness.apply(builder.editSpec()
                .addNewRule()
                .addNewMatch()
                .withNewPath()
                .withType("PathPrefix")
                .withValue("/" + name)
                .endPath()
                .endMatch()
                .addNewBackendRef()
                .withName(name)
                .withPort(443)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());
    }

    private static ConfigMap configMap(String name, String ca) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
                .endMetadata()
                .addToData("ca.crt", ca)
                .build();
    }

    private static BackendTLSPolicy policy(String service, String configMap) {
        return new BackendTLSPolicyBuilder()
                .withNewMetadata()
                .withName(service)
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewTargetRef()
                .withGroup("")
                .withKind("Service")
                .withName(service)
                .endTargetRef()
                .withNewValidation()
                .withHostname(service + ".example.com")
                .addNewCaCertificateRef()
                .withGroup("")
                .withKind("ConfigMap")
                .withName(configMap)
                .endCaCertificateRef()
                .endValidation()
                .endSpec()
                .build();
    }

    private Condition await(String policy, String type, String status, String reason) {
        Eventually.await(
                TIMEOUT,
                "policy " + policy + " " + type + "=" + status + "/" + reason,
                () -> {
                    Condition condition = condition(policy, type);
                    return condition != null
                            && condition.getStatus().equals(status)
                            && condition.getReason().equals(reason);
                },
                () -> String.valueOf(condition(policy, type)));
        return condition(policy, type);
    }

    private Condition condition(String name, String type) {
        BackendTLSPolicy policy = harness.client
                .resources(BackendTLSPolicy.class)
                .inNamespace("apps")
                .withName(name)
                .get();
        if (policy == null || policy.getStatus() == null || policy.getStatus().getAncestors() == null) {
            return null;
        }
        return policy.getStatus().getAncestors().stream()
                .map(PolicyAncestorStatus::getConditions)
                .flatMap(List::stream)
                .filter(c -> c.getType().equals(type))
                .findFirst()
                .orElse(null);
    }

    private Condition routeCondition(String type) {
        HTTPRoute route = harness.client
                .resources(HTTPRoute.class)
                .inNamespace("apps")
                .withName("r")
                .get();
        if (route == null || route.getStatus() == null || route.getStatus().getParents() == null) {
            return null;
        }
        return route.getStatus().getParents().stream()
                .map(RouteParentStatus::getConditions)
                .flatMap(List::stream)
                .filter(c -> c.getType().equals(type))
                .findFirst()
                .orElse(null);
    }
}
