package dev.gantry.controller.conformance;

import static dev.gantry.controller.conformance.Checks.isFalse;
import static dev.gantry.controller.conformance.Checks.isTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import java.util.List;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** The BackendTLSPolicy tests of INDEX.md; all run in parallel upstream. */
class BackendTLSPolicyConformanceTest extends ConformanceBase {

    private static final ObjectKey SAME_NAMESPACE = infra("same-namespace");

    private static void acceptedWithResolvedRefs(ConformanceRun t, ObjectKey gateway, ObjectKey route) {
        t.gatewayAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, gateway, route);
        t.httpRouteMustHaveResolvedRefsTrue(route, gateway);
    }

    @ConformanceTest(
            features = {"HTTPRoute", "BackendTLSPolicy"},
            manifests = "backendtlspolicy-invalid-ca-certificate-ref.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void BackendTLSPolicyInvalidCACertificateRef(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        t.gatewayAndRoutesMustBeAccepted(
                Kinds.HTTP_ROUTE, SAME_NAMESPACE, infra("backendtlspolicy-invalid-ca-certificate-ref"));
        for (String policy : List.of("nonexistent-ca-certificate-ref", "malformed-ca-certificate-ref")) {
            t.policyMustHaveCondition(infra(policy), SAME_NAMESPACE, isFalse("Accepted", "NoValidCACertificate"));
            t.policyMustHaveCondition(
                    infra(policy), SAME_NAMESPACE, isFalse("ResolvedRefs", "InvalidCACertificateRef"));
        }
    }

    @ConformanceTest(
            features = {"HTTPRoute", "BackendTLSPolicy"},
            manifests = "backendtlspolicy-invalid-kind.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void BackendTLSPolicyInvalidKind(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        t.gatewayAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, SAME_NAMESPACE, infra("backendtlspolicy-invalid-kind-test"));
        t.policyMustHaveCondition(infra("invalid-kind"), SAME_NAMESPACE, isFalse("Accepted", "NoValidCACertificate"));
        t.policyMustHaveCondition(infra("invalid-kind"), SAME_NAMESPACE, isFalse("ResolvedRefs", "InvalidKind"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "BackendTLSPolicy"},
            manifests = "backendtlspolicy-observed-generation-bump.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void BackendTLSPolicyObservedGenerationBump(ConformanceRun t) {
        ObjectKey policy = infra("observed-generation-bump");
        t.namespacesMustBeReady(INFRA);
        t.policyMustHaveCondition(policy, SAME_NAMESPACE, isTrue("Accepted"));
        t.policyMustHaveLatestConditions(policy);
        long before = Checks.generation(t.policy(policy));
        t.edit(BackendTLSPolicy.class, policy, p -> p.getSpec().getValidation().setHostname("other.example.com"));
        t.policyMustHaveCondition(policy, SAME_NAMESPACE, isTrue("Accepted"));
        t.policyMustHaveLatestConditions(policy);
        assertNotEquals(before, Checks.generation(t.policy(policy)), "generation should change after an update");
    }

    @ConformanceTest(
            features = {"HTTPRoute", "BackendTLSPolicy", "BackendTLSPolicySANValidation"},
            manifests = "backendtlspolicy-san.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void BackendTLSPolicySANValidation(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("backendtlspolicy-san-test"));
        for (String policy : List.of(
                "san-dns",
                "san-dns-mismatch",
                "san-uri",
                "san-uri-mismatch",
                "multiple-sans",
                "multiple-mismatch-sans")) {
            t.policyMustHaveCondition(infra(policy), SAME_NAMESPACE, isTrue("Accepted", "Accepted"));
        }
    }

    @ConformanceTest(
            features = {"HTTPRoute", "BackendTLSPolicy"},
            manifests = "backendtlspolicy.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void BackendTLSPolicy(ConformanceRun t) {
        ObjectKey https = infra("same-namespace-with-https-listener");
        t.namespacesMustBeReady(INFRA);
        acceptedWithResolvedRefs(t, https, infra("backendtlspolicy-reencrypt"));
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("backendtlspolicy"));
        for (String policy : List.of("normative-test", "host-mismatch", "cert-mismatch", "reconcile-test")) {
            t.policyMustHaveCondition(infra(policy), SAME_NAMESPACE, isTrue("Accepted", "Accepted"));
            t.policyMustHaveCondition(infra(policy), SAME_NAMESPACE, isTrue("ResolvedRefs", "ResolvedRefs"));
        }
        ObjectKey reconcile = infra("reconcile-test");
        t.edit(
                BackendTLSPolicy.class,
                reconcile,
                p -> p.getSpec()
                        .getValidation()
                        .getCaCertificateRefs()
                        .getFirst()
                        .setName("nonexistent-ca-certificate"));
        t.policyMustHaveCondition(reconcile, SAME_NAMESPACE, isFalse("Accepted", "NoValidCACertificate"));
        t.policyMustHaveCondition(reconcile, SAME_NAMESPACE, isFalse("ResolvedRefs", "InvalidCACertificateRef"));
        t.edit(
                BackendTLSPolicy.class,
                reconcile,
                p -> p.getSpec()
                        .getValidation()
                        .getCaCertificateRefs()
                        .getFirst()
                        .setName("tls-checks-ca-certificate"));
        t.policyMustHaveCondition(reconcile, SAME_NAMESPACE, isTrue("Accepted", "Accepted"));
        t.policyMustHaveCondition(reconcile, SAME_NAMESPACE, isTrue("ResolvedRefs", "ResolvedRefs"));
    }
}
