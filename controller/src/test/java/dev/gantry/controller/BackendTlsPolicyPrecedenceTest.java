package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gantry.testing.Eventually;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicyBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * BackendTLSPolicy precedence applies only among equals: a policy naming a Service port (sectionName) and one
 * naming the whole Service both apply, each where it is the most specific; two naming the same port conflict, and
 * the older (then the first by name) wins.
 */
class BackendTlsPolicyPrecedenceTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private ControllerHarness harness;

    @BeforeEach
    void start() {
        harness = ControllerHarness.withController();
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @Test
    void aPortPolicyAndAServicePolicyBothApplyAndTwoPortPoliciesConflict() {
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
                .withName("secure")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("https")
                .withPort(443)
                .endPort()
                .addNewPort()
                .withName("admin")
                .withPort(8443)
                .endPort()
                .endSpec()
                .build());
        harness.apply(new HTTPRouteBuilder()
                .withNewMetadata()
                .withName("r")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("gw")
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withName("secure")
                .withPort(443)
                .endBackendRef()
                .endRule()
                .addNewRule()
                .addNewBackendRef()
                .withName("secure")
                .withPort(8443)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());
        harness.apply(policy("whole-service", null), policy("a-https-port", "https"), policy("b-https-port", "https"));

        assertAncestor("whole-service", "True", "Accepted");
        assertAncestor("a-https-port", "True", "Accepted");
        assertAncestor("b-https-port", "False", "Conflicted");
    }

    private static BackendTLSPolicy policy(String name, String sectionName) {
        return new BackendTLSPolicyBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewTargetRef()
                .withGroup("")
                .withKind("Service")
                .withName("secure")
                .withSectionName(sectionName)
                .endTargetRef()
                .withNewValidation()
                .withHostname("secure.example.com")
                .withWellKnownCACertificates("System")
                .endValidation()
                .endSpec()
                .build();
    }

    private void assertAncestor(String policy, String status, String reason) {
        Eventually.await(
                TIMEOUT,
                "policy " + policy + " Accepted=" + status + "/" + reason,
                () -> {
                    Condition accepted = accepted(policy);
                    return accepted != null
                            && accepted.getStatus().equals(status)
                            && accepted.getReason().equals(reason);
                },
                () -> String.valueOf(accepted(policy)));
        assertEquals(status, accepted(policy).getStatus());
    }

    private Condition accepted(String name) {
        BackendTLSPolicy policy = harness.client
                .resources(BackendTLSPolicy.class)
                .inNamespace("apps")
                .withName(name)
                .get();
        if (policy == null || policy.getStatus() == null || policy.getStatus().getAncestors() == null) {
            return null;
        }
        List<Condition> conditions = policy.getStatus().getAncestors().stream()
                .map(PolicyAncestorStatus::getConditions)
                .flatMap(List::stream)
                .filter(c -> c.getType().equals("Accepted"))
                .toList();
        return conditions.isEmpty() ? null : conditions.getFirst();
    }
}
